/**
 * The one JWE shape aws-vault's `file` backend reads and writes: compact serialization,
 * key management PBES2-HS256+A128KW (RFC 7518 §4.8), content encryption A256GCM (§5.3).
 * Built on node:crypto alone so that opening the backend costs no library import.
 */
import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from 'node:crypto';

/** The key-management algorithm this module speaks. @public */
export const JWE_ALG = 'PBES2-HS256+A128KW';
/** The content-encryption algorithm this module speaks. @public */
export const JWE_ENC = 'A256GCM';
/** PBKDF2 iterations for new files, as aws-vault writes them. @public */
export const DEFAULT_P2C = 8192;
/** The largest `p2c` a reader accepts; anything above is treated as a corrupt (hostile) file. @public */
export const MAX_P2C = 1_300_000;

const KEK_BYTES = 16;
const CEK_BYTES = 32;
const WRAPPED_CEK_BYTES = CEK_BYTES + 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const P2S_BYTES = 12;
/** RFC 3394 §2.2.3.1 default initial value. */
const KW_DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/**
 * Why a JWE could not be opened. `key`: the key-encryption key did not unwrap the content key
 * (wrong passphrase, or damage to the salt, count or wrapped key). `corrupt`: anything else —
 * malformed serialization, unsupported algorithm, or an authentication-tag mismatch on content whose
 * key unwrapped fine.
 * @public
 */
export class JweError extends Error {
  readonly kind: 'key' | 'corrupt';
  constructor(kind: 'key' | 'corrupt', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JweError';
    this.kind = kind;
  }
}

/** The protected header as this module writes it; readers tolerate (and keep) extra members. @public */
export interface JweHeader {
  alg: string;
  enc: string;
  p2c: number;
  p2s: string;
  created?: string;
  [member: string]: unknown;
}

/**
 * Derives the 16-byte key-encryption key. The default is PBKDF2-HMAC-SHA256; a caller may supply a
 * caching wrapper around {@link deriveKek}.
 * @public
 */
export type KekDeriver = (passphrase: Uint8Array, p2s: Uint8Array, p2c: number) => Promise<Uint8Array>;

/** Inputs that are random in normal use; fixing them is for known-answer tests. @public */
export interface EncryptJweOptions {
  /** PBKDF2 iteration count; default {@link DEFAULT_P2C}. */
  p2c?: number;
  /** PBES2 salt input; default 12 random bytes. */
  p2s?: Uint8Array;
  /** GCM nonce; default 12 random bytes. */
  iv?: Uint8Array;
  /** Content-encryption key; default 32 random bytes. */
  cek?: Uint8Array;
  /** The informational `created` header member: a string as is, a Date in Go's `time.String` layout. Default: now. */
  created?: string | Date;
  deriveKek?: KekDeriver;
}

/** @public */
export interface DecryptJweOptions {
  /** Upper bound on `p2c`; default {@link MAX_P2C}. */
  maxP2c?: number;
  deriveKek?: KekDeriver;
}

/** @public */
export interface DecryptedJwe {
  plaintext: Uint8Array;
  header: JweHeader;
}

const toBytes = (passphrase: string | Uint8Array): Uint8Array =>
  typeof passphrase === 'string' ? Buffer.from(passphrase, 'utf8') : passphrase;

/** base64url without padding. @public */
export function base64UrlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Strict base64url decoding: URL alphabet only, no padding, canonical trailing bits. Returns
 * `undefined` for anything else, so a flipped character never decodes to "almost" the same bytes.
 * @public
 */
export function base64UrlDecode(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** PBES2 salt: UTF-8(alg) ‖ 0x00 ‖ p2s (RFC 7518 §4.8.1.1). */
function pbes2Salt(p2s: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(JWE_ALG, 'utf8'), Buffer.of(0), p2s]);
}

/** PBKDF2-HMAC-SHA256 over the PBES2 salt, 16 bytes out. @public */
export function deriveKek(passphrase: Uint8Array, p2s: Uint8Array, p2c: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    pbkdf2(passphrase, pbes2Salt(p2s), p2c, KEK_BYTES, 'sha256', (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** RFC 3394 AES key wrap with the default IV (A128KW when `kek` is 16 bytes). @public */
export function aesKeyWrap(kek: Uint8Array, keyData: Uint8Array): Buffer {
  const cipher = createCipheriv(kwCipherName(kek), kek, KW_DEFAULT_IV);
  return Buffer.concat([cipher.update(keyData), cipher.final()]);
}

/** RFC 3394 AES key unwrap; throws a `key` {@link JweError} when the integrity check fails. @public */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Buffer {
  try {
    const decipher = createDecipheriv(kwCipherName(kek), kek, KW_DEFAULT_IV);
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch (cause) {
    throw new JweError('key', 'AES key unwrap failed its integrity check', { cause });
  }
}

function kwCipherName(kek: Uint8Array): string {
  if (kek.length !== 16 && kek.length !== 24 && kek.length !== 32) throw new RangeError(`AES-KW key must be 16, 24 or 32 bytes, got ${kek.length}`);
  return `id-aes${kek.length * 8}-wrap`;
}

/** Go's `time.Time.String()` layout (without the monotonic reading), in UTC. @public */
export function goTimeString(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const ms = date.getUTCMilliseconds();
  const fraction = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction} +0000 UTC`
  );
}

/**
 * The protected header JSON with members in sorted order, as Go's encoding/json writes a map.
 * Exported for tests that pin header bytes.
 * @public
 */
export function serializeHeader(header: JweHeader): string {
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(header).sort()) sorted[name] = header[name];
  return JSON.stringify(sorted);
}

/** Encrypts `plaintext` under `passphrase` into a compact JWE string. @public */
export async function encryptJwe(plaintext: Uint8Array, passphrase: string | Uint8Array, options: EncryptJweOptions = {}): Promise<string> {
  const p2c = options.p2c ?? DEFAULT_P2C;
  if (!Number.isSafeInteger(p2c) || p2c < 1 || p2c > MAX_P2C) throw new RangeError(`p2c must be an integer in 1..${MAX_P2C}`);
  const p2s = options.p2s ?? randomBytes(P2S_BYTES);
  const iv = options.iv ?? randomBytes(IV_BYTES);
  const cek = options.cek ?? randomBytes(CEK_BYTES);
  if (iv.length !== IV_BYTES) throw new RangeError(`iv must be ${IV_BYTES} bytes`);
  if (cek.length !== CEK_BYTES) throw new RangeError(`cek must be ${CEK_BYTES} bytes`);
  const created = options.created ?? new Date();

  const header: JweHeader = {
    alg: JWE_ALG,
    created: typeof created === 'string' ? created : goTimeString(created),
    enc: JWE_ENC,
    p2c,
    p2s: base64UrlEncode(p2s),
  };
  const encodedHeader = Buffer.from(serializeHeader(header), 'utf8').toString('base64url');

  const kek = await (options.deriveKek ?? deriveKek)(toBytes(passphrase), p2s, p2c);
  const encryptedKey = aesKeyWrap(kek, cek);

  const cipher = createCipheriv('aes-256-gcm', cek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(encodedHeader, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();

  return [encodedHeader, base64UrlEncode(encryptedKey), base64UrlEncode(iv), base64UrlEncode(ciphertext), base64UrlEncode(tag)].join('.');
}

/**
 * Reads the protected header of a compact JWE and checks that it is one this module can open,
 * without any key. Throws a `corrupt` {@link JweError} otherwise.
 * @public
 */
export function parseJweHeader(jwe: string, maxP2c: number = MAX_P2C): JweHeader {
  return splitJwe(jwe, maxP2c).header;
}

interface SplitJwe {
  header: JweHeader;
  encodedHeader: string;
  p2s: Buffer;
  encryptedKey: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function splitJwe(jwe: string, maxP2c: number): SplitJwe {
  const corrupt = (message: string, cause?: unknown) => new JweError('corrupt', message, cause === undefined ? undefined : { cause });
  const parts = jwe.trim().split('.');
  if (parts.length !== 5) throw corrupt(`expected 5 dot-separated parts, found ${parts.length}`);
  const encodedHeader = parts[0] as string;
  const names = ['protected header', 'encrypted key', 'iv', 'ciphertext', 'tag'];
  const decoded = parts.map((part, i) => {
    const bytes = base64UrlDecode(part);
    if (bytes === undefined) throw corrupt(`the ${names[i]} is not valid base64url`);
    return bytes;
  });
  const [headerBytes, encryptedKey, iv, ciphertext, tag] = decoded as [Buffer, Buffer, Buffer, Buffer, Buffer];

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (cause) {
    throw corrupt('the protected header is not JSON', cause);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw corrupt('the protected header is not a JSON object');
  const header = parsed as Record<string, unknown>;
  if (header.alg !== JWE_ALG) throw corrupt(`unsupported alg ${JSON.stringify(header.alg) ?? 'undefined'} (expected ${JWE_ALG})`);
  if (header.enc !== JWE_ENC) throw corrupt(`unsupported enc ${JSON.stringify(header.enc) ?? 'undefined'} (expected ${JWE_ENC})`);
  if (header.zip !== undefined) throw corrupt('compressed (zip) content is not supported');
  if (header.crit !== undefined) throw corrupt('critical header extensions are not supported');
  const p2c = header.p2c;
  if (typeof p2c !== 'number' || !Number.isSafeInteger(p2c) || p2c < 1) throw corrupt('p2c is missing or not a positive integer');
  if (p2c > maxP2c) throw corrupt(`p2c ${p2c} exceeds the limit of ${maxP2c}`);
  if (typeof header.p2s !== 'string') throw corrupt('p2s is missing');
  const p2s = base64UrlDecode(header.p2s);
  if (p2s === undefined) throw corrupt('p2s is not valid base64url');
  if (encryptedKey.length !== WRAPPED_CEK_BYTES) throw corrupt(`the encrypted key is ${encryptedKey.length} bytes, expected ${WRAPPED_CEK_BYTES}`);
  if (iv.length !== IV_BYTES) throw corrupt(`the iv is ${iv.length} bytes, expected ${IV_BYTES}`);
  if (tag.length !== TAG_BYTES) throw corrupt(`the tag is ${tag.length} bytes, expected ${TAG_BYTES}`);
  return { header: header as JweHeader, encodedHeader, p2s, encryptedKey, iv, ciphertext, tag };
}

/** Opens a compact JWE made by {@link encryptJwe}, aws-vault or any conforming library. @public */
export async function decryptJwe(jwe: string, passphrase: string | Uint8Array, options: DecryptJweOptions = {}): Promise<DecryptedJwe> {
  const parts = splitJwe(jwe, options.maxP2c ?? MAX_P2C);
  const kek = await (options.deriveKek ?? deriveKek)(toBytes(passphrase), parts.p2s, parts.header.p2c);
  const cek = aesKeyUnwrap(kek, parts.encryptedKey);
  if (cek.length !== CEK_BYTES) throw new JweError('corrupt', `the content key is ${cek.length} bytes, expected ${CEK_BYTES}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', cek, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(parts.encodedHeader, 'ascii'));
    decipher.setAuthTag(parts.tag);
    const plaintext = Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
    return { plaintext, header: parts.header };
  } catch (cause) {
    throw new JweError('corrupt', 'the content failed its authentication check (ciphertext, iv, tag or header altered)', { cause });
  }
}
