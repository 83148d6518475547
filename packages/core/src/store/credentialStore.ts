import type { Backend } from '../backend.js';
import type { Credentials } from '../credentials.js';
import { VaultError, isItemNotFound } from '../errors.js';
import { goField } from './goJson.js';

/**
 * Long-term keys in the backend, under the profile's name, in aws-vault's payload JSON
 * (`AccessKeyID`, Go field names), so aws-vault and vault read each other's items.
 * @public
 */
export class CredentialStore {
  constructor(private readonly backend: Backend) {}

  async has(profileName: string): Promise<boolean> {
    return (await this.backend.keys()).includes(profileName);
  }

  /** Rejects with `ItemNotFoundError` when nothing is stored. */
  async get(profileName: string): Promise<Credentials> {
    const item = await this.backend.get(profileName);
    return parseMasterCredentials(item.data, profileName);
  }

  async set(profileName: string, credentials: Credentials): Promise<void> {
    const payload = {
      AccessKeyID: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: '',
      Source: '',
      CanExpire: false,
      Expires: '0001-01-01T00:00:00Z',
      AccountID: '',
    };
    await this.backend.set({ key: profileName, data: new TextEncoder().encode(JSON.stringify(payload)), label: `aws-vault (${profileName})`, description: '' });
  }

  /** Resolves false when nothing was stored. */
  async remove(profileName: string): Promise<boolean> {
    try {
      await this.backend.remove(profileName);
      return true;
    } catch (error) {
      if (isItemNotFound(error)) return false;
      throw error;
    }
  }
}

/** Parses a master-credentials payload; a broken one is an error naming the profile. @public */
export function parseMasterCredentials(data: Uint8Array, profileName: string): Credentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw corrupt(profileName, 'it is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw corrupt(profileName, 'it is not a JSON object');
  const object = parsed as Record<string, unknown>;
  const accessKeyId = goField(object, 'AccessKeyID');
  const secretAccessKey = goField(object, 'SecretAccessKey');
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw corrupt(profileName, 'AccessKeyID or SecretAccessKey is missing');
  }
  const credentials: Credentials = { accessKeyId, secretAccessKey };
  const token = goField(object, 'SessionToken');
  if (typeof token === 'string' && token !== '') credentials.sessionToken = token;
  return credentials;
}

function corrupt(profileName: string, why: string): VaultError {
  return new VaultError('CREDENTIALS_CORRUPT', `profile ${profileName}: stored credentials are unreadable: ${why}`, {
    hint: `store them again with \`vault add ${profileName}\``,
  });
}
