import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeClock } from './fakeClock.test-helper.js';
import { RateLimiter } from './rateLimiter.js';

describe('RateLimiter', () => {
  it('spaces requests evenly at the rate, with no burst', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(10, clock);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.take();
      times.push(clock.now());
    }
    assert.deepEqual(times.map((t) => t - (times[0] as number)), [0, 100, 200, 300, 400]);
  });

  it('keeps the spacing for concurrent callers (each reserves its own slot)', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(4, clock);
    const start = clock.now();
    // All ask at once: they start at +0, +250, +500, +750.
    await Promise.all([limiter.take(), limiter.take(), limiter.take(), limiter.take()]);
    assert.deepEqual(clock.wakeups.map((t) => t - start), [250, 500, 750]);
  });

  it('does not wait when the caller is slower than the rate', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(10, clock);
    await limiter.take();
    clock.advance(500);
    await limiter.take();
    assert.deepEqual(clock.sleeps, []);
  });

  it('holdFor stops every slot until the hold ends', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(100, clock);
    await limiter.take();
    limiter.holdFor(2000);
    await limiter.take();
    assert.deepEqual(clock.sleeps, [2000]);
  });

  it('refuses a rate that is not a positive number, naming the flag', () => {
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new RateLimiter(rate), (e: Error & { code?: string }) => e.code === 'FLAG_INVALID' && /--rate/.test(e.message));
    }
  });
});
