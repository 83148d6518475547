import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** IMDSv2's bounds for `X-aws-ec2-metadata-token-ttl-seconds`. */
export const MIN_TOKEN_TTL_SECONDS = 1;
export const MAX_TOKEN_TTL_SECONDS = 21600;

const EXPIRY_BYTES = 8;
const NONCE_BYTES = 16;
const MAC_BYTES = 32;
const TOKEN_BYTES = EXPIRY_BYTES + NONCE_BYTES + MAC_BYTES;

/** The TTL a token request asks for, or undefined when the header is missing or out of 1–21600. */
export function parseTokenTtl(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^[0-9]{1,5}$/.test(header)) return undefined;
  const ttl = Number(header);
  return ttl >= MIN_TOKEN_TTL_SECONDS && ttl <= MAX_TOKEN_TTL_SECONDS ? ttl : undefined;
}

/**
 * IMDSv2 session tokens without server-side state: a token is its expiry time, a random nonce and an
 * HMAC-SHA256 of both under a key made when the server starts, base64url. Verifying recomputes the MAC
 * and compares it in constant time, so tokens cannot be forged or extended, any number may be issued
 * without memory growing, and none outlives the server.
 */
export class ImdsTokens {
  private readonly key = randomBytes(32);

  constructor(private readonly now: () => number = Date.now) {}

  issue(ttlSeconds: number): string {
    const payload = Buffer.alloc(EXPIRY_BYTES + NONCE_BYTES);
    payload.writeBigUInt64BE(BigInt(this.now() + ttlSeconds * 1000), 0);
    randomBytes(NONCE_BYTES).copy(payload, EXPIRY_BYTES);
    return Buffer.concat([payload, this.mac(payload)]).toString('base64url');
  }

  /** Whether the token was issued by this server and has not expired. */
  verify(token: string | string[] | undefined): boolean {
    if (typeof token !== 'string' || token.length > 128) return false;
    const raw = Buffer.from(token, 'base64url');
    // Base64url decoding skips stray characters; only the canonical spelling of a token is one.
    if (raw.length !== TOKEN_BYTES || raw.toString('base64url') !== token) return false;
    const payload = raw.subarray(0, EXPIRY_BYTES + NONCE_BYTES);
    if (!timingSafeEqual(raw.subarray(EXPIRY_BYTES + NONCE_BYTES), this.mac(payload))) return false;
    return Number(payload.readBigUInt64BE(0)) > this.now();
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
