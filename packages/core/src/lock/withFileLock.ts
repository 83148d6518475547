import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { VaultError } from '../errors.js';
import { silentLogger, type DebugLogger } from '../logger.js';

/** How long a waiter waits for another process (which may be waiting for an MFA code or a browser login). */
const WAIT_MS = 10 * 60 * 1000;

/**
 * Runs `fn` while holding a cross-process lock named `name` in `dir`, so concurrent vault processes
 * refresh one session once. proper-lockfile keeps the lock fresh while held and treats it as stale
 * 10 s after its holder died, so a killed process never blocks the others for long.
 * @public
 */
export async function withFileLock<T>(dir: string, name: string, fn: () => Promise<T>, debug: DebugLogger = silentLogger): Promise<T> {
  const lockfile = await import('proper-lockfile');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lockfilePath = join(dir, `${createHash('sha256').update(name).digest('hex').slice(0, 32)}.lock`);
  const started = Date.now();
  let release: () => Promise<void>;
  try {
    // The locked path must be unique per lock: proper-lockfile keys the locks a process holds by it,
    // so two locks taken on one directory at once would overwrite each other.
    release = await lockfile.lock(lockfilePath.slice(0, -'.lock'.length), {
      lockfilePath,
      realpath: false,
      stale: 10_000,
      update: 2_000,
      retries: { retries: Math.ceil(WAIT_MS / 200), factor: 1, minTimeout: 50, maxTimeout: 200, randomize: true },
      onCompromised: (error) => debug(`lock ${name} was taken over: ${error.message}`),
    });
  } catch (error) {
    throw new VaultError('LOCK_TIMEOUT', `gave up waiting for another vault process to refresh ${name}`, {
      hint: `if no vault process is running, remove ${lockfilePath}`,
      cause: error,
    });
  }
  const waited = Date.now() - started;
  if (waited > 100) debug(`waited ${waited} ms for another vault process (${name})`);
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

/** The default lock directory: the per-user runtime dir when there is one, else under ~/.awsvault. @public */
export function defaultLockDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return env['XDG_RUNTIME_DIR'] ? join(env['XDG_RUNTIME_DIR'], 'vault', 'locks') : join(home, '.awsvault', 'locks');
}
