/**
 * What one pass entry decrypts to: the JSON of a whole 99designs/keyring `Item`, as aws-vault's Go
 * code marshals it (`Data` is a `[]byte`, so standard padded base64) and reads it back (member
 * names matched without regard to case, unknown members ignored, missing ones left at zero).
 */
import { isCredentialsKey } from '@awsvault/core';
import type { Item } from '@awsvault/core';

/** All six fields of a keyring item; absent ones hold Go's zero values. @public */
export interface PassItem {
  key: string;
  data: Uint8Array;
  label: string;
  description: string;
  keychainNotTrustApplication: boolean;
  keychainNotSynchronizable: boolean;
}

/** The decrypted entry is not the JSON of a keyring item. @public */
export class PassItemJsonError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PassItemJsonError';
  }
}

/**
 * A JSON string literal the way Go's encoder (1.20, aws-vault's) writes it: `\n`, `\r` and `\t`
 * short, other control characters, `<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes.
 */
function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029) out += '\\u' + code.toString(16).padStart(4, '0');
    // A lone surrogate is not UTF-8: Go writes U+FFFD.
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/**
 * The bytes `pass insert` receives for `item`, with the members in Go's struct order.
 * `KeychainNotTrustApplication` follows aws-vault: true for long-term credentials, false for cached
 * sessions and OIDC tokens (only the macOS keychain acts on it).
 * @public
 */
export function encodeItemJson(item: Item): Buffer {
  const data = Buffer.from(item.data.buffer, item.data.byteOffset, item.data.byteLength).toString('base64');
  const members = [
    `"Key":${goQuote(item.key)}`,
    `"Data":"${data}"`,
    `"Label":${goQuote(item.label ?? '')}`,
    `"Description":${goQuote(item.description ?? '')}`,
    `"KeychainNotTrustApplication":${isCredentialsKey(item.key)}`,
    `"KeychainNotSynchronizable":false`,
  ];
  return Buffer.from(`{${members.join(',')}}`, 'utf8');
}

/**
 * Go compares member names with a simple case fold in which `K` also matches the Kelvin sign and
 * `S` the long s. `toLowerCase` already maps the Kelvin sign to `k`; the long s needs a hand.
 */
const fold = (name: string): string => name.toLowerCase().replace(/\u017f/g, 's');

const MEMBERS: ReadonlyMap<string, keyof PassItem> = new Map<string, keyof PassItem>([
  ['key', 'key'],
  ['data', 'data'],
  ['label', 'label'],
  ['description', 'description'],
  ['keychainnottrustapplication', 'keychainNotTrustApplication'],
  ['keychainnotsynchronizable', 'keychainNotSynchronizable'],
]);

/** What Go's base64.StdEncoding accepts once it has dropped CR and LF: padded, canonical length. */
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(member: string, value: string): Uint8Array {
  const compact = value.replace(/[\r\n]/g, '');
  if (!PADDED_BASE64.test(compact)) throw new PassItemJsonError(`member ${member} is not standard base64`);
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/**
 * Parses what `pass show` printed. Surrounding whitespace (a trailing newline from a hand-made
 * entry) is fine; a non-object, a wrongly typed member or bad base64 is a `PassItemJsonError`.
 * @public
 */
export function decodeItemJson(bytes: Uint8Array): PassItem {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    // No `cause`: the parser's message quotes the content, which may be a secret.
    throw new PassItemJsonError('the entry is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PassItemJsonError('the entry is not a JSON object');

  const out: PassItem = {
    key: '',
    data: new Uint8Array(0),
    label: '',
    description: '',
    keychainNotTrustApplication: false,
    keychainNotSynchronizable: false,
  };
  // Members apply in document order, so a later duplicate (in any letter case) wins, as in Go.
  for (const [member, raw] of Object.entries(value as Record<string, unknown>)) {
    const field = MEMBERS.get(fold(member));
    if (field === undefined || raw === null) continue;
    if (field === 'data') {
      if (typeof raw !== 'string') throw new PassItemJsonError(`member ${member} is not a string`);
      out.data = decodeBase64(member, raw);
    } else if (field === 'keychainNotTrustApplication' || field === 'keychainNotSynchronizable') {
      if (typeof raw !== 'boolean') throw new PassItemJsonError(`member ${member} is not a boolean`);
      out[field] = raw;
    } else {
      if (typeof raw !== 'string') throw new PassItemJsonError(`member ${member} is not a string`);
      out[field] = raw;
    }
  }
  return out;
}
