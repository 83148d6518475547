import { silentLogger, type DebugLogger } from '../logger.js';
import { firstLine } from '../providers/awsErrorCode.js';

/** How long and how often to retry; the clock and sleep are injectable for tests. @public */
export interface RetryOptions {
  /** Give up once this much time has passed since the first attempt; default 20 s. */
  timeoutMs?: number;
  /** Pause after the first failure, doubled after each further one; default 500 ms. */
  firstDelayMs?: number;
  /** Longest pause; default 4 s. */
  maxDelayMs?: number;
  /** Most attempts in all; default unlimited (the timeout decides). */
  maxAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  debug?: DebugLogger;
}

/** The outcome of {@link retryWithBackoff}. @public */
export type RetryResult<T> = { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number };

/** The default wait for a new IAM access key to work: IAM takes seconds to accept a new key everywhere. */
export const KEY_WAIT_TIMEOUT_MS = 20_000;

/**
 * Calls `attempt` until it resolves, pausing with exponential backoff between failures, until
 * `timeoutMs` or `maxAttempts` runs out or `retryable` says an error is final. Never throws: the
 * caller decides what a failure means.
 * @public
 */
export async function retryWithBackoff<T>(attempt: () => Promise<T>, options: RetryOptions & { retryable?: (error: unknown) => boolean; what?: string } = {}): Promise<RetryResult<T>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const debug = options.debug ?? silentLogger;
  const deadline = now() + (options.timeoutMs ?? KEY_WAIT_TIMEOUT_MS);
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  let delay = options.firstDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 4_000;
  for (let attempts = 1; ; attempts++) {
    try {
      return { ok: true, value: await attempt(), attempts };
    } catch (error) {
      const final = options.retryable !== undefined && !options.retryable(error);
      const left = deadline - now();
      if (final || attempts >= maxAttempts || left <= 0) return { ok: false, error, attempts };
      const pause = Math.min(delay, maxDelay, left);
      debug(`${options.what ?? 'attempt'} ${attempts} failed (${firstLine(error)}); retrying in ${pause} ms`);
      await sleep(pause);
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
