import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether a secret someone presented equals the expected one, in time that tells nothing about
 * either. `timingSafeEqual` needs equal lengths and would throw (or need an early exit that leaks the
 * length), so both sides are hashed to 32 bytes first; a missing value is compared as the empty string.
 */
export function constantTimeEqual(given: string | undefined, expected: string): boolean {
  const same = timingSafeEqual(digest(given ?? ''), digest(expected));
  return same && given !== undefined;
}
