import { VaultError } from '@awsvault/core';
import { realClock, type Clock } from './clock.js';

/**
 * Spaces requests evenly at `ratePerSecond` (no bursts), so the access portal's per-token quota is
 * never reached by this client alone. Each caller reserves the next free slot, which keeps the
 * spacing when several workers share one limiter. `holdFor` stops everyone for a while (after the
 * portal said 429, all workers back off, not only the one that was refused).
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private nextSlot = 0;
  private holdUntil = 0;

  constructor(ratePerSecond: number, private readonly clock: Clock = realClock) {
    if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
      throw new VaultError('FLAG_INVALID', `--rate ${ratePerSecond} is not a positive number of requests per second`);
    }
    this.intervalMs = 1000 / ratePerSecond;
  }

  /** Resolves when the caller may send one request. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.nextSlot, this.holdUntil);
    this.nextSlot = at + this.intervalMs;
    if (at > now) await this.clock.sleep(at - now);
  }

  /** No slot starts before `ms` from now. */
  holdFor(ms: number): void {
    this.holdUntil = Math.max(this.holdUntil, this.clock.now() + ms);
  }
}
