/**
 * The OpenPGP item format of the `file` backend: one passphrase-encrypted (symmetric) OpenPGP
 * message per file, whose literal data is the same keyring-item JSON the JWE format holds.
 *
 * - Writes are ASCII-armored. Reads accept armored and binary messages (`gpg --symmetric` writes
 *   binary unless given `--armor`).
 * - `iterated` (the default KDF) writes what GnuPG 2.2 reads: a v4 SKESK with an iterated and salted
 *   SHA-256 S2K and a SEIPDv1 (CFB + MDC) packet, AES-256.
 * - `argon2` writes RFC 9580 packets: a v6 SKESK with an Argon2 S2K and a SEIPDv2 (AEAD, OCB)
 *   packet. GnuPG cannot read those (see README).
 *
 * openpgp costs about 45 ms to import, so it is imported here, inside the functions that need it,
 * and only the first time an OpenPGP item is read or written. Detecting the format needs no import.
 */
import { createDecipheriv } from 'node:crypto';
import type * as OpenPgp from 'openpgp';

/** The first line of an armored OpenPGP message. @public */
export const OPENPGP_ARMOR_HEADER = '-----BEGIN PGP MESSAGE-----';

/** The S2K (passphrase-to-key function) of OpenPGP items this module writes. @public */
export type OpenPgpKdf = 'iterated' | 'argon2';

/**
 * Iterated-and-salted S2K count byte for new items: openpgp's default, 224, which hashes 16 MiB
 * (16,777,216 bytes) of salt and passphrase with SHA-256. Values 0–255 are valid (1 KiB to ~62 MiB).
 * @public
 */
export const DEFAULT_S2K_COUNT_BYTE = 224;
/** Argon2 memory for new items, in MiB: RFC 9580's second recommended setting (64 MiB, 3 passes, 4 lanes). @public */
export const DEFAULT_ARGON2_MEMORY_MIB = 64;
/** Smallest Argon2 memory a writer accepts, in MiB. @public */
export const MIN_ARGON2_MEMORY_MIB = 1;
/** Largest Argon2 memory a writer accepts, in MiB (4.5–7.5 s per encrypt or decrypt on a 2-vCPU VM). @public */
export const MAX_ARGON2_MEMORY_MIB = 1024;
/** Argon2 passes (t) for new items. @public */
export const ARGON2_PASSES = 3;
/** Argon2 lanes (p) for new items. @public */
export const ARGON2_PARALLELISM = 4;
/** Readers refuse (as corrupt) Argon2 parameters above these: 2 GiB (RFC 9580's first recommended setting) and 10 passes. @public */
export const MAX_READ_ARGON2_MEMORY_MIB = 2048;
/** @public */
export const MAX_READ_ARGON2_PASSES = 10;

/** RFC 4880 packet tags this module looks at. */
const TAG = { skesk: 3, sed: 9, seipd: 18, aead: 20 } as const;

/**
 * Why an OpenPGP item could not be opened, with the same two kinds as `JweError`. `key`: the
 * passphrase does not open it (wrong passphrase, or damage to the session-key packet). `corrupt`:
 * anything else: not an OpenPGP message, not a passphrase-encrypted one, an unsupported or
 * unauthenticated packet, or encrypted data that fails its integrity check under a session key that
 * is known to be right.
 * @public
 */
export class OpenPgpError extends Error {
  readonly kind: 'key' | 'corrupt';
  constructor(kind: 'key' | 'corrupt', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OpenPgpError';
    this.kind = kind;
  }
}

/** Settings for {@link encryptOpenPgp}. @public */
export interface EncryptOpenPgpOptions {
  /** Default `iterated`. */
  kdf?: OpenPgpKdf;
  /** Iterated S2K count byte, 0–255; default {@link DEFAULT_S2K_COUNT_BYTE}. Tests use a low one. */
  s2kCountByte?: number;
  /** Argon2 memory in MiB, a power of two from 1 to 1024; default {@link DEFAULT_ARGON2_MEMORY_MIB}. */
  argon2MemoryMiB?: number;
}

/** What {@link decryptOpenPgp} found. @public */
export interface DecryptedOpenPgp {
  plaintext: Uint8Array;
  /** True when the file was ASCII-armored, false for binary packets. */
  armored: boolean;
  /** The S2K of the session-key packet that opened it: `iterated`, `argon2`, `salted`, `simple`, … */
  s2k: string;
  /** True for AEAD-protected data (SEIPDv2 or the LibrePGP OCB packet), false for SEIPDv1. */
  aead: boolean;
}

let loading: Promise<typeof OpenPgp> | undefined;

/** Imports openpgp once per process (about 45 ms the first time). @public */
export function loadOpenPgp(): Promise<typeof OpenPgp> {
  if (loading === undefined) {
    const attempt = import('openpgp');
    loading = attempt;
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
  }
  return loading;
}

const isWhiteSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/** Where the armor header starts, or -1: after an optional UTF-8 BOM and white space. */
function armorStart(content: Uint8Array): number {
  let i = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
  while (i < content.length && isWhiteSpace(content[i]!)) i++;
  for (let j = 0; j < OPENPGP_ARMOR_HEADER.length; j++) {
    if (content[i + j] !== OPENPGP_ARMOR_HEADER.charCodeAt(j)) return -1;
  }
  return i;
}

/**
 * Which format a stored file is in, from its first bytes, without importing anything: OpenPGP when
 * it starts (after white space) with the armor header, or when its first byte has bit 7 set (every
 * binary OpenPGP packet header does, and a JWE is ASCII). Everything else is read as a JWE, which
 * reports any damage.
 * @public
 */
export function detectItemFormat(content: Uint8Array): 'jwe' | 'openpgp' {
  if (armorStart(content) >= 0) return 'openpgp';
  const first = content[0];
  const hasBom = first === 0xef && content[1] === 0xbb && content[2] === 0xbf;
  return first !== undefined && (first & 0x80) !== 0 && !hasBom ? 'openpgp' : 'jwe';
}

/** True for a power of two in [min, max]. */
const isPowerOfTwoIn = (value: number, min: number, max: number) =>
  Number.isInteger(value) && value >= min && value <= max && (value & (value - 1)) === 0;

/** The writer's Argon2 memory exponent (2^e KiB) for a size in MiB; throws a RangeError outside the accepted set. @public */
export function argon2MemoryExponent(mib: number): number {
  if (!isPowerOfTwoIn(mib, MIN_ARGON2_MEMORY_MIB, MAX_ARGON2_MEMORY_MIB)) {
    throw new RangeError(`Argon2 memory must be a power of two from ${MIN_ARGON2_MEMORY_MIB} to ${MAX_ARGON2_MEMORY_MIB} MiB, not ${mib}`);
  }
  return 10 + Math.log2(mib);
}

/** Checks an S2K count byte (0–255); throws a RangeError otherwise. @public */
export function checkS2kCountByte(countByte: number): number {
  if (!Number.isInteger(countByte) || countByte < 0 || countByte > 255) throw new RangeError(`the S2K count byte must be an integer from 0 to 255, not ${countByte}`);
  return countByte;
}

/** Bytes hashed by the iterated S2K for a count byte (RFC 4880 §3.7.1.3). @public */
export function s2kByteCount(countByte: number): number {
  return (16 + (countByte & 15)) * 2 ** ((countByte >> 4) + 6);
}

/**
 * Encrypts `plaintext` (the item JSON) with `passphrase` into an armored OpenPGP message: one
 * session-key packet and one encrypted-data packet around an uncompressed binary literal packet.
 * @public
 */
export async function encryptOpenPgp(plaintext: Uint8Array, passphrase: string, options: EncryptOpenPgpOptions = {}): Promise<string> {
  const kdf = options.kdf ?? 'iterated';
  const countByte = checkS2kCountByte(options.s2kCountByte ?? DEFAULT_S2K_COUNT_BYTE);
  const memoryExponent = argon2MemoryExponent(options.argon2MemoryMiB ?? DEFAULT_ARGON2_MEMORY_MIB);
  if (kdf !== 'iterated' && kdf !== 'argon2') throw new RangeError(`unknown OpenPGP KDF ${JSON.stringify(kdf)}`);
  const openpgp = await loadOpenPgp();
  const { enums } = openpgp;
  const common: OpenPgp.PartialConfig = {
    preferredSymmetricAlgorithm: enums.symmetric.aes256,
    preferredCompressionAlgorithm: enums.compression.uncompressed,
    showVersion: false,
    showComment: false,
  };
  const config: OpenPgp.PartialConfig =
    kdf === 'argon2'
      ? {
          ...common,
          aeadProtect: true,
          // OCB is the AEAD mode every RFC 9580 implementation must have.
          preferredAEADAlgorithm: enums.aead.ocb,
          s2kType: enums.s2k.argon2,
          s2kArgon2Params: { passes: ARGON2_PASSES, parallelism: ARGON2_PARALLELISM, memoryExponent },
          maxArgon2MemoryExponent: Math.max(memoryExponent, 21),
        }
      : { ...common, aeadProtect: false, s2kType: enums.s2k.iterated, s2kIterationCountByte: countByte };
  const message = await openpgp.createMessage({ binary: plaintext, format: 'binary' });
  return openpgp.encrypt({ message, passwords: [passphrase], format: 'armored', config });
}

/** The packet fields this module reads; openpgp's typings declare none of them. */
interface PacketView {
  constructor: { tag?: number };
  version?: number;
  s2k?: { type?: string; t?: number; encodedM?: number } | null;
}

/** openpgp's message on one line, without its "Error decrypting message: " prefix, at most 160 characters. */
const oneLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error))
    .replace(/\s+/g, ' ')
    .replace(/^Error (?:reading|decrypting) [a-z ]+: /, '')
    .trim()
    .slice(0, 160);

/**
 * node:crypto CFB ciphers for the quick check, by openpgp's algorithm name: [cipher, block size].
 * OpenSSL 3 has no CAST5 or Blowfish outside its legacy provider, and no Twofish.
 */
const CFB: Readonly<Record<string, readonly [string, number]>> = {
  aes128: ['aes-128-cfb', 16],
  aes192: ['aes-192-cfb', 16],
  aes256: ['aes-256-cfb', 16],
  tripledes: ['des-ede3-cfb', 8],
};

/**
 * The first `count` octets of the encrypted data of the first SEIPDv1 packet in a binary message (the
 * octets after its version octet), by walking the packet headers (RFC 4880 §4.2, old and new
 * format, partial body lengths included); `undefined` if the message has no such packet or is too
 * short. openpgp keeps packet bodies as internal stream objects, so the raw bytes are read here.
 */
function seipdV1Prefix(binary: Uint8Array, count: number): Uint8Array | undefined {
  let pos = 0;
  while (pos < binary.length) {
    const ctb = binary[pos++]!;
    if ((ctb & 0x80) === 0) return undefined;
    const newFormat = (ctb & 0x40) !== 0;
    const tag = newFormat ? ctb & 0x3f : (ctb >> 2) & 0x0f;
    // The body as a list of [start, end) chunks.
    const chunks: Array<[number, number]> = [];
    if (newFormat) {
      for (;;) {
        const first = binary[pos++];
        if (first === undefined) return undefined;
        let length: number;
        let partial = false;
        if (first < 192) length = first;
        else if (first < 224) length = ((first - 192) << 8) + (binary[pos++] ?? 0) + 192;
        else if (first === 255) {
          if (pos + 4 > binary.length) return undefined;
          length = Buffer.from(binary.buffer, binary.byteOffset + pos, 4).readUInt32BE(0);
          pos += 4;
        } else {
          length = 1 << (first & 0x1f);
          partial = true;
        }
        chunks.push([pos, Math.min(pos + length, binary.length)]);
        pos += length;
        if (!partial) break;
      }
    } else {
      const lengthType = ctb & 0x03;
      let length: number;
      if (lengthType === 3) length = binary.length - pos;
      else {
        const size = 1 << lengthType;
        if (pos + size > binary.length) return undefined;
        length = Buffer.from(binary.buffer, binary.byteOffset + pos, size).readUIntBE(0, size);
        pos += size;
      }
      chunks.push([pos, Math.min(pos + length, binary.length)]);
      pos += length;
    }
    if (tag !== TAG.seipd) continue;
    const body = Buffer.concat(chunks.map(([from, to]) => binary.subarray(from, to)));
    return body[0] === 1 && body.length >= count + 1 ? new Uint8Array(body.subarray(1, count + 1)) : undefined;
  }
  return undefined;
}

/**
 * RFC 4880 §5.13's "quick check": the random prefix of SEIPDv1 data repeats its last two octets, so
 * decrypting the first block + 2 octets tells a wrong session key (mismatch, except 1 time in 65,536)
 * from damaged data under the right key. openpgp does not expose it, so it is used here only after a
 * failed decryption, to pick the error. `undefined` when the cipher is not one node:crypto has.
 */
function quickCheck(algorithm: string | null | undefined, key: Uint8Array, start: Uint8Array): boolean | undefined {
  const spec = algorithm == null ? undefined : CFB[algorithm];
  if (spec === undefined) return undefined;
  const [cipher, blockSize] = spec;
  if (start.length < blockSize + 2) return undefined;
  try {
    const decipher = createDecipheriv(cipher, key, Buffer.alloc(blockSize));
    const prefix = decipher.update(start.subarray(0, blockSize + 2));
    return prefix[blockSize - 2] === prefix[blockSize] && prefix[blockSize - 1] === prefix[blockSize + 1];
  } catch {
    return undefined;
  }
}

/**
 * Decrypts an armored or binary OpenPGP message with `passphrase`. Throws an {@link OpenPgpError}
 * whose `kind` separates a wrong passphrase from a damaged or unsupported file:
 *
 * - the session-key packet does not open: `key`;
 * - it opened, and is authenticated (v5/v6 SKESK, AEAD): any failure after that is `corrupt`;
 * - it opened without authentication (v4 SKESK, whose check is only "the algorithm octet and length
 *   look right", or no encrypted session key at all, as `gpg --symmetric` writes): a failed SEIPDv1
 *   integrity check is `corrupt` only when the quick check shows the key is right, else `key`.
 * @public
 */
export async function decryptOpenPgp(content: Uint8Array, passphrase: string): Promise<DecryptedOpenPgp> {
  const start = armorStart(content);
  const armored = start >= 0;
  const openpgp = await loadOpenPgp();
  const config: OpenPgp.PartialConfig = { maxArgon2MemoryExponent: 10 + Math.log2(MAX_READ_ARGON2_MEMORY_MIB) };

  let binary = content;
  let message: OpenPgp.Message<Uint8Array>;
  try {
    if (armored) {
      const unarmored = await openpgp.unarmor(Buffer.from(content.subarray(start)).toString('utf8'));
      if (unarmored.type !== openpgp.enums.armor.message || !(unarmored.data instanceof Uint8Array)) throw new Error('not an armored PGP MESSAGE');
      binary = unarmored.data;
    }
    message = await openpgp.readMessage({ binaryMessage: binary, config });
  } catch (error) {
    throw new OpenPgpError('corrupt', `not a readable OpenPGP message: ${oneLine(error)}`, { cause: error });
  }

  const packets = [...message.packets] as unknown as PacketView[];
  const skesks = packets.filter((packet) => packet.constructor.tag === TAG.skesk);
  const data = packets.find((packet) => packet.constructor.tag === TAG.seipd || packet.constructor.tag === TAG.aead || packet.constructor.tag === TAG.sed);
  if (skesks.length === 0) throw new OpenPgpError('corrupt', 'the OpenPGP message is not encrypted with a passphrase');
  if (data === undefined) throw new OpenPgpError('corrupt', 'the OpenPGP message holds no encrypted data');
  if (data.constructor.tag === TAG.sed) throw new OpenPgpError('corrupt', 'the OpenPGP message has no integrity protection (no MDC)');
  for (const skesk of skesks) {
    const s2k = skesk.s2k;
    if (s2k?.type === 'argon2' && ((s2k.encodedM ?? 0) > 10 + Math.log2(MAX_READ_ARGON2_MEMORY_MIB) || (s2k.t ?? 0) > MAX_READ_ARGON2_PASSES)) {
      throw new OpenPgpError(
        'corrupt',
        `the OpenPGP message asks for Argon2 with 2^${s2k.encodedM} KiB and ${s2k.t} passes, above the limit of ${MAX_READ_ARGON2_MEMORY_MIB} MiB and ${MAX_READ_ARGON2_PASSES} passes`,
      );
    }
  }
  const aead = data.constructor.tag === TAG.aead || data.version === 2;

  let sessionKeys: OpenPgp.DecryptedSessionKey[];
  try {
    sessionKeys = await openpgp.decryptSessionKeys({ message, passwords: [passphrase], config });
  } catch (error) {
    // openpgp reports an Argon2 allocation failure (Argon2OutOfMemoryError) this way too; that is no
    // evidence of a wrong passphrase, and the passphrase check before a write must not count it.
    if (/Argon2/.test(oneLine(error))) throw new OpenPgpError('corrupt', `cannot run the file's Argon2 S2K: ${oneLine(error)}`, { cause: error });
    throw new OpenPgpError('key', `the passphrase does not open the session key: ${oneLine(error)}`, { cause: error });
  }
  // Which packet opened is not reported; with one SKESK (what vault and gpg write) it is that one.
  const s2k = skesks.length === 1 ? (skesks[0]!.s2k?.type ?? 'unknown') : 'unknown';

  try {
    // A v6 SKESK yields `algorithm: null` (the SEIPDv2 packet names the cipher); openpgp's decrypt
    // accepts that at run time although its typings do not say so.
    const result = await openpgp.decrypt({ message, sessionKeys: sessionKeys as OpenPgp.SessionKey[], format: 'binary', config });
    return { plaintext: result.data, armored, s2k, aead };
  } catch (error) {
    const detail = oneLine(error);
    if (skesks.every((skesk) => (skesk.version ?? 4) >= 5)) {
      throw new OpenPgpError('corrupt', `the encrypted data is damaged: ${detail}`, { cause: error });
    }
    const prefix = aead ? undefined : seipdV1Prefix(binary, 18);
    const keyIsRight = prefix !== undefined && sessionKeys.some((sk) => quickCheck(sk.algorithm, sk.data, prefix) === true);
    if (keyIsRight) throw new OpenPgpError('corrupt', `the encrypted data is damaged: ${detail}`, { cause: error });
    throw new OpenPgpError('key', `the passphrase does not decrypt the data: ${detail}`, { cause: error });
  }
}
