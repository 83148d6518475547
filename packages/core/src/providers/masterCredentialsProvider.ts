import type { CredentialProvider } from '../credentials.js';
import { isItemNotFound, VaultError } from '../errors.js';
import type { DebugLogger } from '../logger.js';
import type { CredentialStore } from '../store/credentialStore.js';

/** The long-term keys stored for a profile. @public */
export function masterCredentialsProvider(store: CredentialStore, profileName: string, debug: DebugLogger): CredentialProvider {
  return async () => {
    debug(`profile ${profileName}: looking up stored credentials`);
    try {
      return await store.get(profileName);
    } catch (error) {
      if (!isItemNotFound(error)) throw error;
      throw new VaultError('NO_CREDENTIALS', `profile ${profileName}: no stored credentials`, { hint: `run \`vault add ${profileName}\`` });
    }
  };
}
