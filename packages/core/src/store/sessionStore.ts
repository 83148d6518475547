import type { Backend } from '../backend.js';
import { formatKeyForDisplay, type Credentials } from '../credentials.js';
import { isItemNotFound } from '../errors.js';
import { silentLogger, type DebugLogger } from '../logger.js';
import { goField, iso8601 } from './goJson.js';
import { formatSessionKey, isLegacySessionKey, parseSessionKey, sessionKeyPrefix, type SessionKey } from './sessionKey.js';

/** A cached session as found in the store. @public */
export interface StoredSession {
  key: SessionKey;
  itemKey: string;
  credentials: Credentials & { expiration: Date };
}

/**
 * Cached STS sessions in the backend under aws-vault's item names and payload JSON
 * (`AccessKeyId`, `SecretAccessKey`, `SessionToken`, `Expiration`), so both tools share them.
 * @public
 */
export class SessionStore {
  private readonly now: () => number;
  private readonly debug: DebugLogger;
  private primedKeys: readonly string[] | undefined;

  /**
   * `primedKeys`: a listing of the store the caller just made, used instead of the next listing
   * (once: every later lookup lists again, so a look under the refresh lock sees other processes'
   * writes). On the Secret Service a listing is 1 + N D-Bus calls; a cached export made two.
   */
  constructor(private readonly backend: Backend, options: { now?: () => number; debug?: DebugLogger; primedKeys?: readonly string[] } = {}) {
    this.now = options.now ?? Date.now;
    this.debug = options.debug ?? silentLogger;
    this.primedKeys = options.primedKeys;
  }

  /** The session for (type, profile, detail) with the latest expiry, or undefined. Unreadable items are deleted. */
  async get(type: string, profileName: string, detail: string): Promise<StoredSession | undefined> {
    const keys = await this.collectGarbage();
    const prefix = sessionKeyPrefix(type, profileName, detail);
    const candidates = keys
      .filter((key) => key.startsWith(prefix))
      .map((key) => ({ itemKey: key, key: parseSessionKey(key) }))
      .filter((c): c is { itemKey: string; key: SessionKey } => c.key !== undefined)
      .sort((a, b) => b.key.expiry - a.key.expiry);
    for (const candidate of candidates) {
      let data: Uint8Array;
      try {
        data = (await this.backend.get(candidate.itemKey)).data;
      } catch (error) {
        if (isItemNotFound(error)) continue; // another process replaced it meanwhile
        throw error;
      }
      const credentials = parseSessionPayload(data);
      if (credentials) return { key: candidate.key, itemKey: candidate.itemKey, credentials };
      this.debug(`deleting unreadable cached session ${candidate.key.type} of profile ${profileName}`);
      await this.removeQuietly(candidate.itemKey);
    }
    return undefined;
  }

  /** Stores a session, then removes older ones for the same (type, profile, detail): a crash leaves one, never none. */
  async set(type: string, profileName: string, detail: string, credentials: Credentials & { expiration: Date }): Promise<void> {
    const key: SessionKey = { type, profileName, detail, expiry: Math.floor(credentials.expiration.getTime() / 1000) };
    const itemKey = formatSessionKey(key);
    const payload = {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken ?? '',
      Expiration: iso8601(credentials.expiration),
    };
    await this.backend.set({
      key: itemKey,
      data: new TextEncoder().encode(JSON.stringify(payload)),
      label: `aws-vault session for ${profileName} (expires ${iso8601(credentials.expiration)})`,
      description: 'aws-vault session',
    });
    this.debug(`cached ${type} session ${formatKeyForDisplay(credentials.accessKeyId)} of profile ${profileName} until ${iso8601(credentials.expiration)}`);
    const prefix = sessionKeyPrefix(type, profileName, detail);
    const keys = await this.collectGarbage();
    for (const old of keys) if (old !== itemKey && old.startsWith(prefix)) await this.removeQuietly(old);
  }

  /** Every current-format session in the store, expired ones included. */
  async list(): Promise<Array<{ itemKey: string; key: SessionKey }>> {
    const out: Array<{ itemKey: string; key: SessionKey }> = [];
    for (const itemKey of await this.backend.keys()) {
      const key = parseSessionKey(itemKey);
      if (key) out.push({ itemKey, key });
    }
    return out;
  }

  /** Deletes the sessions of one profile; returns how many. */
  async removeForProfile(profileName: string): Promise<number> {
    let count = 0;
    for (const { itemKey, key } of await this.list()) {
      if (key.profileName === profileName && (await this.removeQuietly(itemKey))) count++;
    }
    return count;
  }

  /** Deletes legacy-format keys and expired sessions; returns the keys left. */
  private async collectGarbage(): Promise<string[]> {
    const keys = this.primedKeys ?? (await this.backend.keys());
    this.primedKeys = undefined;
    const nowSeconds = this.now() / 1000;
    const left: string[] = [];
    for (const key of keys) {
      const parsed = parseSessionKey(key);
      if (isLegacySessionKey(key) || (parsed && parsed.expiry < nowSeconds)) await this.removeQuietly(key);
      else left.push(key);
    }
    return left;
  }

  private async removeQuietly(itemKey: string): Promise<boolean> {
    try {
      await this.backend.remove(itemKey);
      return true;
    } catch (error) {
      if (isItemNotFound(error)) return false;
      throw error;
    }
  }
}

/** Parses a cached-session payload leniently (Go JSON rules); undefined when unusable. @public */
export function parseSessionPayload(data: Uint8Array): (Credentials & { expiration: Date }) | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const object = parsed as Record<string, unknown>;
  const accessKeyId = goField(object, 'AccessKeyId');
  const secretAccessKey = goField(object, 'SecretAccessKey');
  const sessionToken = goField(object, 'SessionToken');
  const expirationText = goField(object, 'Expiration');
  if (typeof accessKeyId !== 'string' || !accessKeyId || typeof secretAccessKey !== 'string' || !secretAccessKey) return undefined;
  if (typeof expirationText !== 'string') return undefined;
  const expiration = new Date(expirationText);
  if (Number.isNaN(expiration.getTime())) return undefined;
  const credentials: Credentials & { expiration: Date } = { accessKeyId, secretAccessKey, expiration };
  if (typeof sessionToken === 'string' && sessionToken !== '') credentials.sessionToken = sessionToken;
  return credentials;
}
