import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DebugLogger } from '@awsvault/core';
import { writeFileAtomic } from '@awsvault/core';

/** What a discovery has learnt so far, saved so a stopped run continues where it stopped. */
export interface DiscoveryProgress {
  version: 1;
  startUrl: string;
  /** Unix ms of the last save. */
  savedAt: number;
  /** Accounts listed so far, in portal order. */
  accounts: Array<{ accountId: string; accountName: string }>;
  /** The ListAccounts page to ask for next; absent once `accountsComplete`. */
  accountsNextToken?: string;
  accountsComplete: boolean;
  /** Role names of every account whose roles are all listed. */
  roles: Record<string, string[]>;
}

/** Saved progress older than this is not trusted (accounts and roles change). */
export const PROGRESS_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** The progress file of one start URL: `~/.awsvault/sso-populate/<hash>.json`, mode 0600. */
export function discoveryProgressPath(home: string, startUrl: string): string {
  return join(home, '.awsvault', 'sso-populate', `${createHash('sha256').update(startUrl).digest('hex').slice(0, 16)}.json`);
}

export function emptyProgress(startUrl: string, now: number): DiscoveryProgress {
  return { version: 1, startUrl, savedAt: now, accounts: [], accountsComplete: false, roles: {} };
}

/** Reads, writes and deletes one progress file; an unreadable, foreign or stale file counts as none. */
export class DiscoveryProgressFile {
  constructor(readonly path: string, private readonly debug: DebugLogger = () => {}) {}

  load(startUrl: string, now: number): DiscoveryProgress | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.debug(`ignoring ${this.path}: not JSON`);
      return undefined;
    }
    if (!isProgress(parsed) || parsed.startUrl !== startUrl) {
      this.debug(`ignoring ${this.path}: not the progress of ${startUrl}`);
      return undefined;
    }
    if (now - parsed.savedAt > PROGRESS_MAX_AGE_MS || parsed.savedAt > now + 60_000) {
      this.debug(`ignoring ${this.path}: saved too long ago`);
      return undefined;
    }
    return parsed;
  }

  save(progress: DiscoveryProgress): void {
    mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.path, `${JSON.stringify(progress)}\n`);
  }

  /** Deletes the progress, and temp files a killed save left beside it. */
  clear(): void {
    const dir = dirname(this.path);
    const leftover = `.${basename(this.path)}.`;
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.startsWith(leftover) && n.endsWith('.tmp'));
    } catch {
      // no directory: nothing saved
    }
    for (const name of [basename(this.path), ...names]) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // already gone
      }
    }
  }
}

function isProgress(value: unknown): value is DiscoveryProgress {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const accountsOk = Array.isArray(v['accounts']) && v['accounts'].every((a) => typeof a === 'object' && a !== null && typeof (a as Record<string, unknown>)['accountId'] === 'string' && typeof (a as Record<string, unknown>)['accountName'] === 'string');
  const roles = v['roles'];
  const rolesOk = typeof roles === 'object' && roles !== null && !Array.isArray(roles) && Object.values(roles).every((r) => Array.isArray(r) && r.every((n) => typeof n === 'string'));
  return (
    v['version'] === 1 && typeof v['startUrl'] === 'string' && typeof v['savedAt'] === 'number' && accountsOk && rolesOk &&
    typeof v['accountsComplete'] === 'boolean' && (v['accountsNextToken'] === undefined || typeof v['accountsNextToken'] === 'string')
  );
}
