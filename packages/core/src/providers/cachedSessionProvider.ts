import { formatGoDuration } from '../config/parseGoDuration.js';
import { formatKeyForDisplay, type Credentials } from '../credentials.js';
import type { DebugLogger } from '../logger.js';
import type { SessionStore } from '../store/sessionStore.js';

/** The five-minute window aws-vault keeps between a cached session's expiry and its reuse. */
export const DEFAULT_MIN_TTL_SECONDS = 300;

/**
 * The one cache around any session-producing provider: reuse a stored session while more than
 * `minTtlSeconds` remain, else call through and store the result. A failed call leaves the cache as it was.
 * @public
 */
export function cachedSessionProvider(
  inner: () => Promise<Credentials>,
  options: {
    sessions: SessionStore;
    type: string;
    profileName: string;
    detail: string;
    minTtlSeconds: number;
    now?: () => number;
    debug: DebugLogger;
    /** A cross-process lock around refreshing, so parallel processes make one STS call. */
    lock?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  },
): () => Promise<Credentials> {
  const now = options.now ?? Date.now;
  const reuse = async (): Promise<Credentials | undefined> => {
    const stored = await options.sessions.get(options.type, options.profileName, options.detail);
    if (stored) {
      const left = stored.credentials.expiration.getTime() - now();
      if (left >= options.minTtlSeconds * 1000) {
        options.debug(`profile ${options.profileName}: re-using cached credentials ${formatKeyForDisplay(stored.credentials.accessKeyId)} from ${options.type}, expires in ${formatGoDuration(left)}`);
        return stored.credentials;
      }
      options.debug(`profile ${options.profileName}: cached ${options.type} session expires in ${formatGoDuration(left)}, under the minimum; fetching a new one`);
    }
    return undefined;
  };
  const refresh = async (): Promise<Credentials> => {
    const fresh = await inner();
    // Credentials without an expiry (a credential_process may return long-term keys) are not cached.
    if (fresh.expiration) await options.sessions.set(options.type, options.profileName, options.detail, { ...fresh, expiration: fresh.expiration });
    return fresh;
  };
  return async () => {
    const cached = await reuse();
    if (cached) return cached;
    if (!options.lock) return refresh();
    // Another process may have refreshed while this one waited for the lock: look again first.
    return options.lock(`${options.type} ${options.profileName} ${options.detail}`, async () => (await reuse()) ?? refresh());
  };
}
