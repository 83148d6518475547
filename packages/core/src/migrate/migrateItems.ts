import type { Backend } from '../backend.js';
import { isItemNotFound, VaultError } from '../errors.js';
import { isCredentialsKey } from '../store/sessionKey.js';

/** What happened to one item. @public */
export type MigrationOutcome = 'skipped' | 'copied' | 'overwritten' | 'failed';

/** Options of `migrateItems`. @public */
export interface MigrationOptions {
  /** Only these keys (profile names); all credentials when absent. */
  keys?: readonly string[];
  /** Also move cached sessions and SSO tokens, not only long-term credentials. */
  includeSessions?: boolean;
  overwrite?: boolean;
  /** Delete each item from the source once its copy was read back identical. */
  deleteSource?: boolean;
  /** Called before and after each item, for progress output. */
  onItem?: (event: { key: string; outcome?: MigrationOutcome; deleted?: boolean; error?: Error }) => void;
}

/** Counts of a migration. @public */
export interface MigrationSummary {
  copied: number;
  overwritten: number;
  skipped: number;
  deleted: number;
  failed: string[];
}

/**
 * Copies items between two backends, verifying each copy by reading it back byte for byte before
 * (only with `deleteSource`) removing the original. Stops at the first failure, so a source item
 * is never deleted without a verified copy. @public
 */
export async function migrateItems(from: Backend, to: Backend, options: MigrationOptions = {}): Promise<MigrationSummary> {
  const summary: MigrationSummary = { copied: 0, overwritten: 0, skipped: 0, deleted: 0, failed: [] };
  const available = await from.keys();
  let keys: string[];
  if (options.keys) {
    for (const key of options.keys) {
      if (!available.includes(key)) throw new VaultError('MIGRATE_NOT_FOUND', `profile "${key}" not found in source backend ${from.name}`);
    }
    keys = [...options.keys];
  } else {
    keys = available.filter((key) => options.includeSessions || isCredentialsKey(key)).sort();
  }
  const existing = new Set(await to.keys());
  for (const key of keys) {
    options.onItem?.({ key });
    if (existing.has(key) && !options.overwrite) {
      summary.skipped++;
      options.onItem?.({ key, outcome: 'skipped' });
      continue;
    }
    try {
      const item = await from.get(key);
      await to.set(item);
      const copy = await to.get(key);
      if (!sameBytes(copy.data, item.data)) throw new VaultError('MIGRATE_VERIFY_FAILED', `the copy of "${key}" in ${to.name} differs from the original`);
      const outcome: MigrationOutcome = existing.has(key) ? 'overwritten' : 'copied';
      summary[outcome]++;
      let deleted = false;
      if (options.deleteSource) {
        try {
          await from.remove(key);
        } catch (error) {
          if (!isItemNotFound(error)) throw error;
        }
        summary.deleted++;
        deleted = true;
      }
      options.onItem?.({ key, outcome, deleted });
    } catch (error) {
      summary.failed.push(key);
      options.onItem?.({ key, outcome: 'failed', error: error as Error });
      break;
    }
  }
  return summary;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
