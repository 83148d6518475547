import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryWithBackoff } from './waitForKey.js';

function clock() {
  let now = 1_000_000;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms: number) => void (slept.push(ms), (now += ms)) };
}

function failing(times: number) {
  let calls = 0;
  const attempt = async () => {
    calls++;
    if (calls <= times) throw new Error(`failure ${calls}`);
    return 'ok';
  };
  return { attempt, calls: () => calls };
}

describe('retryWithBackoff', () => {
  it('resolves at once when the first attempt works', async () => {
    const c = clock();
    assert.deepEqual(await retryWithBackoff(async () => 7, c), { ok: true, value: 7, attempts: 1 });
    assert.deepEqual(c.slept, []);
  });

  it('doubles the pause after each failure, up to the maximum', async () => {
    const c = clock();
    const f = failing(5);
    const result = await retryWithBackoff(f.attempt, { ...c, firstDelayMs: 500, maxDelayMs: 4000, timeoutMs: 60_000 });
    assert.deepEqual(result, { ok: true, value: 'ok', attempts: 6 });
    assert.deepEqual(c.slept, [500, 1000, 2000, 4000, 4000]);
  });

  it('gives up at the deadline with the last error, never sleeping past it', async () => {
    const c = clock();
    const f = failing(1000);
    const result = await retryWithBackoff(f.attempt, { ...c, timeoutMs: 20_000 });
    assert.equal(result.ok, false);
    assert.equal(c.slept.reduce((a, b) => a + b, 0), 20_000);
    if (!result.ok) assert.equal((result.error as Error).message, `failure ${result.attempts}`);
  });

  it('stops at maxAttempts, and at once on an error that is not retryable', async () => {
    const c = clock();
    assert.equal((await retryWithBackoff(failing(10).attempt, { ...c, maxAttempts: 3 })).attempts, 3);
    const f = failing(10);
    const result = await retryWithBackoff(f.attempt, { ...c, retryable: () => false });
    assert.equal(result.attempts, 1);
    assert.equal(f.calls(), 1);
  });
});
