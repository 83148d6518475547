/**
 * The secret value of every item aws-vault keeps in the Secret Service: the JSON of a whole
 * 99designs/keyring `Item` struct, as Go's encoding/json writes it (exported field names, `[]byte`
 * as padded standard base64) and reads it (member names matched case-insensitively).
 */
import type { Item } from '@awsvault/core';

/** All six fields of a keyring item; absent members decode to Go's zero values. @public */
export interface KeyringItemJson {
  key: string;
  data: Uint8Array;
  label: string;
  description: string;
  keychainNotTrustApplication: boolean;
  keychainNotSynchronizable: boolean;
}

/** The stored value is not a keyring item. @public */
export class ItemJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ItemJsonError';
  }
}

/**
 * A JSON string literal as Go writes it: valid UTF-8 (lone surrogates become U+FFFD) and HTML-safe
 * (`<`, `>`, `&`, U+2028, U+2029 as `\u` escapes). Other escapes match JSON.stringify.
 */
function goString(value: string): string {
  const wellFormed = Buffer.from(value, 'utf8').toString('utf8');
  return JSON.stringify(wellFormed).replace(/[<>&\u2028\u2029]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * The bytes aws-vault would store for `item`: members in Go struct order. aws-vault sets
 * `KeychainNotTrustApplication` on its master credentials only, and it is meaningful on macOS only,
 * so it is written as `true` unless told otherwise (the file backend does the same).
 * @public
 */
export function encodeItemJson(item: Item, keychainNotTrustApplication = true): Uint8Array {
  const data = Buffer.from(item.data.buffer, item.data.byteOffset, item.data.byteLength).toString('base64');
  const json = [
    `{"Key":${goString(item.key)}`,
    `"Data":"${data}"`,
    `"Label":${goString(item.label ?? '')}`,
    `"Description":${goString(item.description ?? '')}`,
    `"KeychainNotTrustApplication":${keychainNotTrustApplication ? 'true' : 'false'}`,
    `"KeychainNotSynchronizable":false}`,
  ].join(',');
  return new Uint8Array(Buffer.from(json, 'utf8'));
}

/**
 * Go's case-insensitive member matching (bytes.EqualFold) restricted to what can reach our ASCII
 * field names: ASCII letters ignore case, and the two non-ASCII letters whose simple case folding
 * reaches ASCII (KELVIN SIGN -> k, LATIN SMALL LETTER LONG S -> s) count as those letters.
 */
function foldMemberName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (ch === '\u212a') out += 'k';
    else if (ch === '\u017f') out += 's';
    else if (ch.length === 1 && ch.charCodeAt(0) < 0x80) out += ch.toLowerCase();
    else out += ch;
  }
  return out;
}

type Field = keyof KeyringItemJson;
const FIELD_BY_FOLDED_NAME: ReadonlyMap<string, Field> = new Map<string, Field>([
  ['key', 'key'],
  ['data', 'data'],
  ['label', 'label'],
  ['description', 'description'],
  ['keychainnottrustapplication', 'keychainNotTrustApplication'],
  ['keychainnotsynchronizable', 'keychainNotSynchronizable'],
]);

/** Padded standard base64, as Go's base64.StdEncoding accepts it (CR and LF are skipped). */
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(member: string, value: string): Uint8Array {
  const compact = value.replace(/[\r\n]/g, '');
  if (!STANDARD_BASE64.test(compact)) throw new ItemJsonError(`member ${JSON.stringify(member)} is not standard base64`);
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/**
 * Reads a stored value the way aws-vault's json.Unmarshal into `keyring.Item` does: unknown members
 * are ignored, `null` and missing members keep the zero value, invalid UTF-8 becomes U+FFFD, and a
 * member of the wrong type (or bad base64 in `Data`) is an error.
 * @public
 */
export function decodeItemJson(value: Uint8Array): KeyringItemJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8').decode(value));
  } catch {
    throw new ItemJsonError('the stored value is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ItemJsonError('the stored value is not a JSON object');

  const item: KeyringItemJson = {
    key: '',
    data: new Uint8Array(0),
    label: '',
    description: '',
    keychainNotTrustApplication: false,
    keychainNotSynchronizable: false,
  };
  for (const [member, memberValue] of Object.entries(parsed as Record<string, unknown>)) {
    const field = FIELD_BY_FOLDED_NAME.get(foldMemberName(member));
    if (field === undefined || memberValue === null) continue;
    if (field === 'data') {
      if (typeof memberValue !== 'string') throw new ItemJsonError(`member ${JSON.stringify(member)} is not a base64 string`);
      item.data = decodeBase64(member, memberValue);
    } else if (field === 'keychainNotTrustApplication' || field === 'keychainNotSynchronizable') {
      if (typeof memberValue !== 'boolean') throw new ItemJsonError(`member ${JSON.stringify(member)} is not a boolean`);
      item[field] = memberValue;
    } else {
      if (typeof memberValue !== 'string') throw new ItemJsonError(`member ${JSON.stringify(member)} is not a string`);
      item[field] = memberValue;
    }
  }
  return item;
}
