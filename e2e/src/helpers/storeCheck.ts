/**
 * Reads a file-backend store the way vault opens it and sorts every file into readable items and
 * broken ones: an item must decrypt, hold aws-vault's item JSON, and carry a payload that vault's own
 * parsers accept (long-term credentials, a cached session, or an SSO token).
 */
import type { Credentials, Item } from '@awsvault/core';
import { isCredentialsKey, isOidcTokenKey, parseMasterCredentials, parseOidcTokenPayload, parseSessionKey, parseSessionPayload } from '@awsvault/core';
import { openFileBackend, type FileBackend } from '@awsvault/plugin-backend-file';
import { leftoverTempFiles } from './crashRun.js';

export interface StoreInspection {
  items: Map<string, Item>;
  /** Long-term credentials by profile. */
  credentials: Map<string, Credentials>;
  /** Item keys of cached sessions whose payload parses. */
  sessions: string[];
  /** Files that are not a readable item, with the reason. */
  broken: Array<{ key: string; reason: string }>;
  /** Temp files of killed writers (invisible to vault). */
  tempFiles: string[];
}

/** The file backend of an environment (AWS_VAULT_FILE_DIR or HOME, passphrase from AWS_VAULT_FILE_PASSPHRASE). */
export function fileStoreOf(env: Record<string, string>, homeDir: string): Promise<FileBackend> {
  return openFileBackend({
    env,
    homeDir,
    askPassphrase: () => Promise.reject(new Error('the passphrase comes from AWS_VAULT_FILE_PASSPHRASE')),
    debug: () => {},
  });
}

export async function inspectFileStore(env: Record<string, string>, homeDir: string): Promise<StoreInspection> {
  const store = await fileStoreOf(env, homeDir);
  const out: StoreInspection = { items: new Map(), credentials: new Map(), sessions: [], broken: [], tempFiles: leftoverTempFiles(store.dir) };
  for (const key of await store.keys()) {
    let item: Item;
    try {
      item = await store.get(key);
    } catch (error) {
      // A file removed between keys() and get() (nothing runs now, so this does not happen) would be ITEM_NOT_FOUND.
      out.broken.push({ key, reason: `${(error as { code?: string }).code ?? ''} ${(error as Error).message}` });
      continue;
    }
    out.items.set(key, item);
    if (parseSessionKey(key)) {
      if (parseSessionPayload(item.data)) out.sessions.push(key);
      else out.broken.push({ key, reason: 'session payload does not parse' });
    } else if (isOidcTokenKey(key)) {
      if (!parseOidcTokenPayload(item.data)) out.broken.push({ key, reason: 'SSO token payload does not parse' });
    } else if (isCredentialsKey(key)) {
      try {
        out.credentials.set(key, parseMasterCredentials(item.data, key));
      } catch (error) {
        out.broken.push({ key, reason: (error as Error).message });
      }
    }
  }
  return out;
}
