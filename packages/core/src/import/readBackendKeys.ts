import type { Backend } from '../backend.js';
import { VaultError } from '../errors.js';
import { parseMasterCredentials } from '../store/credentialStore.js';
import type { PlaintextKey } from './readCredentialsFile.js';

/** Keys read from another tool's store. @public */
export interface BackendKeys {
  keys: PlaintextKey[];
  /** Items holding a session token: temporary credentials, not imported. */
  temporary: string[];
}

/**
 * Reads every item of `source` (or only `profiles`) as an `aws.Credentials` payload, before anything
 * is written anywhere. A profile the source lacks, or an item that is not credentials JSON, is an
 * error naming the profile and `where`.
 * @public
 */
export async function readBackendKeys(source: Backend, where: string, profiles?: readonly string[]): Promise<BackendKeys> {
  const available = (await source.keys()).sort();
  if (profiles) {
    for (const profile of profiles) {
      if (!available.includes(profile)) throw new VaultError('IMPORT_PROFILE_NOT_FOUND', `profile ${profile} not found in ${where}`);
    }
  }
  const out: BackendKeys = { keys: [], temporary: [] };
  for (const profile of profiles ? [...new Set(profiles)] : available) {
    const item = await source.get(profile);
    let credentials;
    try {
      credentials = parseMasterCredentials(item.data, profile);
    } catch {
      throw new VaultError('IMPORT_SOURCE_CORRUPT', `profile ${profile} in ${where}: the item is not IAM credentials JSON`);
    }
    if (credentials.sessionToken !== undefined) out.temporary.push(profile);
    else out.keys.push({ profile, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } });
  }
  return out;
}
