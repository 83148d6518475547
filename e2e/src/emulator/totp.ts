import { Secret, TOTP } from 'otpauth';

/** IAM virtual MFA devices use RFC 6238 TOTP: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_MS = 30_000;

function totpFor(secretBase32: string): TOTP {
  return new TOTP({ secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: 30 });
}

/** The code a device shows at `atMs` (milliseconds since the epoch). */
export function totpCode(secretBase32: string, atMs: number): string {
  return totpFor(secretBase32).generate({ timestamp: atMs });
}

/**
 * Which 30-second step `code` belongs to, or null when it is not valid at
 * `atMs`. Only the current and the previous step are accepted: AWS tolerates
 * a code that just rolled over, but not one from the future.
 */
export function totpStep(secretBase32: string, code: string, atMs: number): number | null {
  const totp = totpFor(secretBase32);
  const delta = totp.validate({ token: code, timestamp: atMs, window: 1 });
  if (delta === null || delta > 0) return null;
  return totp.counter({ timestamp: atMs }) + delta;
}
