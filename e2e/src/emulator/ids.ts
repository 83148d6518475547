import { randomBytes, randomInt, randomUUID } from 'node:crypto';

// AWS identifiers use an upper-case base32-like alphabet after a 4-letter
// prefix that tells what the id is (AKIA long-term key, ASIA session key,
// AIDA user, AROA role). Clients sometimes branch on the prefix, so we keep it.
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomFrom(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** 20-character access key id: AKIA… for long-term keys, ASIA… for session keys. */
export function newAccessKeyId(kind: 'long-term' | 'session'): string {
  return (kind === 'long-term' ? 'AKIA' : 'ASIA') + randomFrom(ID_ALPHABET, 16);
}

/** 40-character secret access key. */
export function newSecretAccessKey(): string {
  return randomFrom(SECRET_ALPHABET, 40);
}

/** Session tokens are long opaque base64 blobs (hundreds of characters) in AWS. */
export function newSessionToken(): string {
  return randomBytes(300).toString('base64');
}

/** 21-character unique id: AIDA… for users, AROA… for roles. */
export function newUniqueId(prefix: 'AIDA' | 'AROA'): string {
  return prefix + randomFrom(ID_ALPHABET, 17);
}

export function newRequestId(): string {
  return randomUUID();
}

/** Base32 TOTP seed of 20 random bytes, as IAM virtual MFA devices have. */
export function newBase32Secret(): string {
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ID_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ID_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
