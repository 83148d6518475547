import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsError, fakeClock } from './fakeClock.test-helper.js';
import { RateLimiter } from './rateLimiter.js';
import { isThrottled, retryAfterMs, retryThrottled } from './retryThrottled.js';

describe('retryThrottled', () => {
  const setup = (random = () => 0.5) => {
    const clock = fakeClock();
    const limiter = new RateLimiter(1000, clock);
    const throttles: Array<[number, number]> = [];
    return { clock, options: { limiter, clock, random, baseMs: 100, capMs: 1000, maxRetries: 4, onThrottled: (_: string, attempt: number, wait: number) => throttles.push([attempt, wait]) }, throttles };
  };

  it('retries 429s with exponential backoff and full jitter, then succeeds', async () => {
    const { options, throttles, clock } = setup();
    let calls = 0;
    const result = await retryThrottled('sso:ListAccounts', async () => {
      if (++calls <= 3) throw awsError('TooManyRequestsException', 429);
      return 'ok';
    }, options);
    assert.equal(result, 'ok');
    assert.equal(calls, 4);
    // random 0.5 × min(cap 1000, 100·2^n): 50, 100, 200
    assert.deepEqual(throttles, [[1, 50], [2, 100], [3, 200]]);
    assert.ok(clock.sleeps.includes(50) && clock.sleeps.includes(100) && clock.sleeps.includes(200), String(clock.sleeps));
  });

  it('caps the backoff and draws it from [0, ceiling)', async () => {
    const { options, throttles } = setup(() => 0.999);
    let calls = 0;
    await retryThrottled('x', async () => {
      if (++calls <= 4) throw awsError('TooManyRequestsException', 429);
      return 1;
    }, options);
    assert.deepEqual(throttles.map(([, w]) => w), [99, 199, 399, 799]);
    const zero = setup(() => 0);
    calls = 0;
    await retryThrottled('x', async () => {
      if (++calls <= 1) throw awsError('TooManyRequestsException', 429);
      return 1;
    }, zero.options);
    assert.deepEqual(zero.throttles, [[1, 0]]);
  });

  it('waits what Retry-After says when the portal sends it', async () => {
    const { options, throttles, clock } = setup();
    let calls = 0;
    await retryThrottled('x', async () => {
      if (++calls === 1) throw awsError('TooManyRequestsException', 429, { 'retry-after': '3' });
      return 1;
    }, options);
    assert.deepEqual(throttles, [[1, 3000]]);
    assert.ok(clock.sleeps.includes(3000));
  });

  it('gives up after maxRetries with a one-line SSO_THROTTLED error', async () => {
    const { options } = setup();
    let calls = 0;
    await assert.rejects(
      retryThrottled('sso:ListAccountRoles (account 111122223333)', async () => {
        calls++;
        throw awsError('TooManyRequestsException', 429);
      }, options),
      (e: Error & { code?: string; hint?: string }) => e.code === 'SSO_THROTTLED' && /111122223333.*after 4 retries/.test(e.message) && /continues where it stopped/.test(e.hint ?? ''),
    );
    assert.equal(calls, 5);
  });

  it('passes other errors through at once', async () => {
    const { options } = setup();
    let calls = 0;
    await assert.rejects(retryThrottled('x', async () => {
      calls++;
      throw awsError('UnauthorizedException', 401);
    }, options), /UnauthorizedException/);
    assert.equal(calls, 1);
  });

  it('recognises throttling by code or status, and parses Retry-After as seconds or a date', () => {
    assert.equal(isThrottled(awsError('TooManyRequestsException', 429)), true);
    assert.equal(isThrottled(awsError('SomethingElse', 429)), true);
    assert.equal(isThrottled(awsError('ThrottlingException', 400)), true);
    assert.equal(isThrottled(awsError('ForbiddenException', 403)), false);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs(awsError('x', 429, { 'retry-after': '1.5' }), now), 1500);
    assert.equal(retryAfterMs(awsError('x', 429, { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now), 5000);
    assert.equal(retryAfterMs(awsError('x', 429, { 'retry-after': '99999' }), now), 120_000, 'capped');
    assert.equal(retryAfterMs(awsError('x', 429, { 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfterMs(awsError('x', 429), now), undefined);
  });
});
