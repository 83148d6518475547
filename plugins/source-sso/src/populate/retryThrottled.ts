import { awsErrorCode, awsErrorStatus, VaultError } from '@awsvault/core';
import { realClock, type Clock } from './clock.js';
import type { RateLimiter } from './rateLimiter.js';

/** How throttled calls are retried. */
export interface ThrottleRetryOptions {
  limiter: RateLimiter;
  clock?: Clock;
  /** In [0, 1); default Math.random. */
  random?: () => number;
  /** Retries after the first attempt; default {@link DEFAULT_MAX_RETRIES}. */
  maxRetries?: number;
  /** First backoff ceiling; doubles per retry up to `capMs`. */
  baseMs?: number;
  capMs?: number;
  /** Told about every 429, with the wait chosen. */
  onThrottled?: (call: string, attempt: number, waitMs: number) => void;
}

export const DEFAULT_MAX_RETRIES = 8;
const DEFAULT_BASE_MS = 500;
const DEFAULT_CAP_MS = 30_000;
/** A Retry-After longer than this is not believed (a broken proxy must not park vault for hours). */
const MAX_RETRY_AFTER_MS = 120_000;
const THROTTLE_CODES = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'ThrottledException', 'SlowDown']);

/** Whether the portal refused a call for its rate (HTTP 429 or a throttling code). */
export function isThrottled(error: unknown): boolean {
  const code = awsErrorCode(error);
  return (code !== undefined && THROTTLE_CODES.has(code)) || awsErrorStatus(error) === 429;
}

/** The Retry-After of a refused call in ms (seconds or an HTTP date), when the answer had one. */
export function retryAfterMs(error: unknown, now: number): number | undefined {
  const headers = (error as { $response?: { headers?: Record<string, string | undefined> } } | undefined)?.$response?.headers;
  const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * Runs `fn` after taking a slot from the limiter; a throttled answer is retried after the portal's
 * Retry-After, or else an exponential backoff with full jitter (random in [0, min(cap, base·2^n)]),
 * at most `maxRetries` times. Every worker sharing the limiter waits too. Other errors pass through.
 */
export async function retryThrottled<T>(call: string, fn: () => Promise<T>, options: ThrottleRetryOptions): Promise<T> {
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const base = options.baseMs ?? DEFAULT_BASE_MS;
  const cap = options.capMs ?? DEFAULT_CAP_MS;
  for (let attempt = 0; ; attempt++) {
    await options.limiter.take();
    try {
      return await fn();
    } catch (error) {
      if (!isThrottled(error)) throw error;
      if (attempt >= maxRetries) {
        throw new VaultError('SSO_THROTTLED', `${call} was still refused for its request rate (HTTP 429) after ${maxRetries} retries`, {
          hint: 'run the same command again later: it continues where it stopped; a lower --rate helps',
          cause: error,
        });
      }
      const backoff = Math.floor(random() * Math.min(cap, base * 2 ** attempt));
      const wait = retryAfterMs(error, clock.now()) ?? backoff;
      options.onThrottled?.(call, attempt + 1, wait);
      options.limiter.holdFor(wait);
    }
  }
}
