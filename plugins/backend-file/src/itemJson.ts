/**
 * The plaintext inside each file: the JSON of a 99designs/keyring `Item`, as Go's encoding/json
 * writes and reads it (exported field names, `[]byte` as standard padded base64).
 */
import type { Item } from '@awsvault/core';

/** Every field of a keyring item, with Go's zero values for absent ones. @public */
export interface KeyringItem {
  key: string;
  data: Uint8Array;
  label: string;
  description: string;
  keychainNotTrustApplication: boolean;
  keychainNotSynchronizable: boolean;
}

/** The plaintext is not a keyring item. @public */
export class ItemJsonError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ItemJsonError';
  }
}

/** @public */
export interface EncodeItemOptions {
  /** aws-vault sets this on every item it writes; default `true`. Only the macOS keychain reads it. */
  keychainNotTrustApplication?: boolean;
}

/** Go's encoding/json string escaping: JSON.stringify plus `<`, `>`, `&`, U+2028 and U+2029 as \u escapes. */
function goJsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The item's JSON bytes, fields in Go struct order. @public */
export function encodeItemJson(item: Item, options: EncodeItemOptions = {}): Uint8Array {
  const data = Buffer.from(item.data.buffer, item.data.byteOffset, item.data.byteLength).toString('base64');
  const json =
    `{"Key":${goJsonString(item.key)},"Data":"${data}",` +
    `"Label":${goJsonString(item.label ?? '')},"Description":${goJsonString(item.description ?? '')},` +
    `"KeychainNotTrustApplication":${options.keychainNotTrustApplication ?? true},"KeychainNotSynchronizable":false}`;
  return Buffer.from(json, 'utf8');
}

type FieldName = keyof KeyringItem;
/** JSON member name (lower-cased, as Go matches case-insensitively) -> field. */
const FIELDS: ReadonlyMap<string, FieldName> = new Map<string, FieldName>([
  ['key', 'key'],
  ['data', 'data'],
  ['label', 'label'],
  ['description', 'description'],
  ['keychainnottrustapplication', 'keychainNotTrustApplication'],
  ['keychainnotsynchronizable', 'keychainNotSynchronizable'],
]);

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses the plaintext of a file. Member names match case-insensitively, unknown members are
 * ignored, missing ones and `null` keep the zero value; a wrong type or bad base64 is an error.
 * @public
 */
export function decodeItemJson(plaintext: Uint8Array): KeyringItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch (cause) {
    throw new ItemJsonError('the decrypted content is not JSON', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ItemJsonError('the decrypted content is not a JSON object');

  const item: KeyringItem = {
    key: '',
    data: new Uint8Array(0),
    label: '',
    description: '',
    keychainNotTrustApplication: false,
    keychainNotSynchronizable: false,
  };
  for (const [member, value] of Object.entries(parsed)) {
    const field = FIELDS.get(member.toLowerCase());
    if (field === undefined || value === null) continue;
    switch (field) {
      case 'key':
      case 'label':
      case 'description':
        if (typeof value !== 'string') throw new ItemJsonError(`item field ${member} is not a string`);
        item[field] = value;
        break;
      case 'data': {
        if (typeof value !== 'string') throw new ItemJsonError(`item field ${member} is not a base64 string`);
        const text = value.replace(/[\r\n]/g, '');
        if (!STD_BASE64.test(text)) throw new ItemJsonError(`item field ${member} is not valid base64`);
        item.data = new Uint8Array(Buffer.from(text, 'base64'));
        break;
      }
      case 'keychainNotTrustApplication':
      case 'keychainNotSynchronizable':
        if (typeof value !== 'boolean') throw new ItemJsonError(`item field ${member} is not a boolean`);
        item[field] = value;
        break;
    }
  }
  return item;
}
