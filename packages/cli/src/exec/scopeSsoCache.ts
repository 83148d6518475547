/**
 * `vault exec --sso-cache`: the AWS CLI's SSO token cache entry exists only while the command runs.
 *
 * Tools that read `~/.aws/sso/cache/<sha1>.json` themselves (the AWS CLI with an SSO profile, the
 * SDKs' SSO providers, some IDE plugins) get vault's token for the length of one command, and it
 * does not stay on disk as plain JSON afterwards.
 *
 * Bookkeeping lives in `<cache dir>/.vault-exec-<sha1>/` (0700), beside the entry so a rename keeps
 * working (same file system):
 * - `holders/<pid>`: one file per running `vault exec` using the entry. The entry is installed by
 *   the first holder and taken away by the last; a holder whose process is gone (vault itself was
 *   killed) no longer counts, so concurrent execs never remove the entry from under each other.
 * - `installed.json`: present while vault's entry is in place; says whether a file was there before.
 * - `original.json`: that file, moved aside unchanged (bytes and mode), and moved back at the end.
 * Every change happens under a file lock on that directory. If vault was killed while holding the
 * entry, the next `--sso-cache` run for the same session finds `installed.json` without live
 * holders and restores the original first.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { withFileLock, type DebugLogger } from '@awsvault/core';
import { writeAwsCliSsoCache, type AwsCliSsoCacheEntry } from '@awsvault/plugin-source-sso';

/** An installed entry; `release` once the command has exited. */
export interface ScopedSsoCache {
  readonly path: string;
  release(): Promise<void>;
}

interface Installed {
  hadOriginal: boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; it still counts
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function liveHolders(holdersDir: string, debug: DebugLogger): number[] {
  const live: number[] = [];
  for (const name of readdirSync(holdersDir)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
      live.push(pid);
    } else {
      rmSync(join(holdersDir, name), { force: true });
      debug(`dropped the SSO cache holder ${name}: its process is gone`);
    }
  }
  return live;
}

/** Puts the user's own file (or its absence) back and forgets the installation. */
function restore(path: string, stateDir: string, debug: DebugLogger): void {
  const marker = join(stateDir, 'installed.json');
  let installed: Installed;
  try {
    installed = JSON.parse(readFileSync(marker, 'utf8')) as Installed;
  } catch {
    return;
  }
  const original = join(stateDir, 'original.json');
  if (installed.hadOriginal && existsSync(original)) {
    renameSync(original, path);
    debug(`restored the earlier SSO cache file ${path}`);
  } else {
    rmSync(path, { force: true });
    debug(`removed the SSO cache file ${path}`);
  }
  rmSync(marker, { force: true });
}

/**
 * Writes `entry` to `path` (atomically, 0600) for this process until `release`, keeping whatever
 * file was there to put back when the last concurrent holder releases.
 */
export async function scopeSsoCache(path: string, entry: AwsCliSsoCacheEntry, debug: DebugLogger): Promise<ScopedSsoCache> {
  const stateDir = join(dirname(path), `.vault-exec-${basename(path, '.json')}`);
  const holdersDir = join(stateDir, 'holders');
  mkdirSync(holdersDir, { recursive: true, mode: 0o700 });
  const pid = process.pid;
  const locked = <T>(fn: () => T) => withFileLock(stateDir, 'state', async () => fn(), debug);

  await locked(() => {
    const marker = join(stateDir, 'installed.json');
    if (liveHolders(holdersDir, debug).length === 0) {
      // a vault killed while holding the entry left it behind: put the user's file back first
      if (existsSync(marker)) restore(path, stateDir, debug);
      const hadOriginal = existsSync(path);
      if (hadOriginal) renameSync(path, join(stateDir, 'original.json'));
      writeFileSync(marker, JSON.stringify({ hadOriginal } satisfies Installed), { mode: 0o600 });
    }
    writeAwsCliSsoCache(path, entry);
    writeFileSync(join(holdersDir, String(pid)), '', { mode: 0o600 });
    debug(`wrote the SSO token to ${path} for the command`);
  });

  let released = false;
  return {
    path,
    release: async () => {
      if (released) return;
      released = true;
      await locked(() => {
        rmSync(join(holdersDir, String(pid)), { force: true });
        const others = liveHolders(holdersDir, debug);
        if (others.length === 0) restore(path, stateDir, debug);
        else debug(`left the SSO cache file ${path} in place for ${others.length} other vault exec(s)`);
      });
    },
  };
}
