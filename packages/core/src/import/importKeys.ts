import type { Backend } from '../backend.js';
import { VaultError } from '../errors.js';
import type { DebugLogger } from '../logger.js';
import { CredentialStore } from '../store/credentialStore.js';
import { SessionStore } from '../store/sessionStore.js';
import type { PlaintextKey } from './readCredentialsFile.js';

/** What happens (or, in a dry run, would happen) to one profile. @public */
export type ImportOutcome = 'imported' | 'overwritten' | 'skipped';

/** @public */
export interface ImportKeysOptions {
  /** Replace keys vault already stores for the profile; without it such profiles are skipped. */
  force?: boolean;
  /** Decide every outcome and write nothing. */
  dryRun?: boolean;
  /** Called once per profile, after its outcome is known (and, unless a dry run, written). */
  onItem?: (key: PlaintextKey, outcome: ImportOutcome) => void;
  debug?: DebugLogger;
}

/**
 * Stores each profile's long-term keys in `target` under the profile's name, in aws-vault's master
 * key payload (as `vault add` does). Each write is read back and compared; a replaced profile loses
 * the sessions cached with its old keys, as with `vault add`.
 * @public
 */
export async function importKeys(target: Backend, keys: readonly PlaintextKey[], options: ImportKeysOptions = {}): Promise<Record<ImportOutcome, number>> {
  const counts: Record<ImportOutcome, number> = { imported: 0, overwritten: 0, skipped: 0 };
  const existing = new Set(await target.keys());
  const store = new CredentialStore(target);
  for (const key of keys) {
    const exists = existing.has(key.profile);
    const outcome: ImportOutcome = !exists ? 'imported' : options.force ? 'overwritten' : 'skipped';
    if (outcome !== 'skipped' && !options.dryRun) {
      await store.set(key.profile, key.credentials);
      const stored = await store.get(key.profile);
      if (stored.accessKeyId !== key.credentials.accessKeyId || stored.secretAccessKey !== key.credentials.secretAccessKey) {
        throw new VaultError('IMPORT_VERIFY_FAILED', `profile ${key.profile}: the keys read back from ${target.name} differ from the ones written`);
      }
      if (outcome === 'overwritten') {
        const deleted = await new SessionStore(target, options.debug ? { debug: options.debug } : {}).removeForProfile(key.profile);
        options.debug?.(`profile ${key.profile}: deleted ${deleted} session(s) cached with the replaced keys`);
      }
    }
    counts[outcome]++;
    options.onItem?.(key, outcome);
  }
  return counts;
}
