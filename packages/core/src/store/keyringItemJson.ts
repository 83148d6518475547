/**
 * The JSON of a whole 99designs/keyring `Item`, which aws-vault stores as the secret of every item in
 * the backends that hold one opaque value per item (file, pass, Secret Service). It is written as
 * Go's encoding/json marshals the struct (exported field names in struct order, `Data` a `[]byte`,
 * so padded standard base64) and read as Go unmarshals it (member names matched case-insensitively,
 * unknown members ignored, missing and `null` ones left at the zero value).
 * @module
 */
import type { Item } from '../backend.js';
import { goFoldName, goJsonString } from './goJson.js';
import { isCredentialsKey } from './sessionKey.js';

/** Every field of a keyring item; absent members decode to Go's zero values. @public */
export interface KeyringItem {
  key: string;
  data: Uint8Array;
  label: string;
  description: string;
  keychainNotTrustApplication: boolean;
  keychainNotSynchronizable: boolean;
}

/**
 * The bytes are not the JSON of a keyring item. The message never quotes the content (it may be a
 * secret) and is one line.
 * @public
 */
export class KeyringItemJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringItemJsonError';
  }
}

/** @public */
export interface EncodeKeyringItemOptions {
  /**
   * The `KeychainNotTrustApplication` flag (only the macOS keychain acts on it). Default as aws-vault
   * sets it: true for long-term credentials, false for cached sessions and OIDC tokens.
   */
  keychainNotTrustApplication?: boolean;
}

/**
 * The bytes aws-vault would store for `item`: Go's `json.Marshal` of the keyring item, members in
 * struct order, no trailing newline.
 * @public
 */
export function encodeKeyringItemJson(item: Item, options: EncodeKeyringItemOptions = {}): Buffer {
  const data = Buffer.from(item.data.buffer, item.data.byteOffset, item.data.byteLength).toString('base64');
  const notTrust = options.keychainNotTrustApplication ?? isCredentialsKey(item.key);
  const members = [
    `"Key":${goJsonString(item.key)}`,
    `"Data":"${data}"`,
    `"Label":${goJsonString(item.label ?? '')}`,
    `"Description":${goJsonString(item.description ?? '')}`,
    `"KeychainNotTrustApplication":${notTrust}`,
    `"KeychainNotSynchronizable":false`,
  ];
  return Buffer.from(`{${members.join(',')}}`, 'utf8');
}

/** Folded member name (see `goFoldName`) -> field. */
const FIELDS: ReadonlyMap<string, keyof KeyringItem> = new Map<string, keyof KeyringItem>([
  ['key', 'key'],
  ['data', 'data'],
  ['label', 'label'],
  ['description', 'description'],
  ['keychainnottrustapplication', 'keychainNotTrustApplication'],
  ['keychainnotsynchronizable', 'keychainNotSynchronizable'],
]);

/** What Go's base64.StdEncoding accepts once it has dropped CR and LF: padded, canonical length. */
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(member: string, value: string): Uint8Array {
  const compact = value.replace(/[\r\n]/g, '');
  if (!STANDARD_BASE64.test(compact)) throw new KeyringItemJsonError(`member ${JSON.stringify(member)} is not standard base64`);
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/**
 * Reads stored bytes the way aws-vault's `json.Unmarshal` into a keyring item does: surrounding white
 * space is fine, invalid UTF-8 becomes U+FFFD, members apply in document order (so of `"Key"` and a
 * later `"key"`, the later wins), unknown members are ignored, and `null` and missing ones keep the
 * zero value. A non-object, a member of the wrong type (even one a later member replaces) or bad
 * base64 in `Data` is a `KeyringItemJsonError`; `what` names the bytes in its message (`the entry`).
 * @public
 */
export function decodeKeyringItemJson(bytes: Uint8Array, what = 'the stored value'): KeyringItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch {
    // No `cause`: the parser's message quotes the content, which may be a secret.
    throw new KeyringItemJsonError(`${what} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new KeyringItemJsonError(`${what} is not a JSON object`);

  const item: KeyringItem = {
    key: '',
    data: new Uint8Array(0),
    label: '',
    description: '',
    keychainNotTrustApplication: false,
    keychainNotSynchronizable: false,
  };
  for (const [member, value] of Object.entries(parsed as Record<string, unknown>)) {
    const field = FIELDS.get(goFoldName(member));
    if (field === undefined || value === null) continue;
    if (field === 'data') {
      if (typeof value !== 'string') throw new KeyringItemJsonError(`member ${JSON.stringify(member)} is not a base64 string`);
      item.data = decodeBase64(member, value);
    } else if (field === 'keychainNotTrustApplication' || field === 'keychainNotSynchronizable') {
      if (typeof value !== 'boolean') throw new KeyringItemJsonError(`member ${JSON.stringify(member)} is not a boolean`);
      item[field] = value;
    } else {
      if (typeof value !== 'string') throw new KeyringItemJsonError(`member ${JSON.stringify(member)} is not a string`);
      item[field] = value;
    }
  }
  return item;
}
