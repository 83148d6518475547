import { VaultError, type Credentials } from '@awsvault/core';

/**
 * Reads what a `credential_process` printed, by the AWS spec ("Sourcing credentials with an external
 * process"): a JSON object with `Version` 1, `AccessKeyId` and `SecretAccessKey`, and optionally
 * `SessionToken` and `Expiration` (RFC 3339). Field names are case-sensitive; other fields are
 * ignored. Unlike aws-vault, long-term keys (no token, no expiration) are accepted, as the AWS SDKs
 * accept them. Errors name the profile and the problem, never a value from the output except
 * `Version` and `Expiration`.
 */
export function parseProcessOutput(stdout: string, profileName: string, now: number = Date.now()): Credentials {
  const where = `profile ${profileName}: credential_process`;
  const text = stdout.replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    throw new VaultError('CREDENTIAL_PROCESS_INVALID_JSON', `${where} printed nothing on stdout`, {
      hint: 'it must print a JSON document with Version 1, AccessKeyId and SecretAccessKey',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which may hold a secret: it is not repeated.
    throw new VaultError('CREDENTIAL_PROCESS_INVALID_JSON', `${where} printed output that is not valid JSON`, {
      hint: 'it must print only a JSON document on stdout; messages belong on stderr',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VaultError('CREDENTIAL_PROCESS_INVALID_JSON', `${where} printed JSON that is not an object`);
  }
  const doc = parsed as Record<string, unknown>;

  if (doc['Version'] !== 1) {
    const shown = doc['Version'] === undefined ? 'no Version' : `Version ${showValue(doc['Version'])}`;
    throw new VaultError('CREDENTIAL_PROCESS_BAD_VERSION', `${where} printed ${shown}; only Version 1 is supported`, {
      hint: 'the output must contain "Version": 1 (a number)',
    });
  }

  const missing = ['AccessKeyId', 'SecretAccessKey'].filter((key) => doc[key] === undefined || doc[key] === null || doc[key] === '');
  if (missing.length > 0) {
    const lowerKeys = new Map(Object.keys(doc).map((key) => [key.toLowerCase(), key]));
    const near = missing.map((key) => lowerKeys.get(key.toLowerCase())).filter((key): key is string => key !== undefined && !missing.includes(key));
    throw new VaultError('CREDENTIAL_PROCESS_MISSING_FIELDS', `${where} output lacks ${missing.join(' and ')}`, {
      hint: near.length > 0 ? `field names are case-sensitive; found ${near.join(', ')}` : 'the output needs AccessKeyId and SecretAccessKey',
    });
  }
  for (const key of ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']) {
    const value = doc[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new VaultError('CREDENTIAL_PROCESS_INVALID_FIELD', `${where} output has a ${key} that is not a string`);
    }
  }

  const credentials: Credentials = { accessKeyId: doc['AccessKeyId'] as string, secretAccessKey: doc['SecretAccessKey'] as string };
  const token = doc['SessionToken'];
  if (typeof token === 'string' && token !== '') credentials.sessionToken = token;
  const expiration = doc['Expiration'];
  if (typeof expiration === 'string' && expiration !== '') {
    const time = parseRfc3339(expiration);
    if (time === undefined) {
      throw new VaultError('CREDENTIAL_PROCESS_INVALID_FIELD', `${where} output has an Expiration that is not an RFC 3339 time: ${showValue(expiration)}`, {
        hint: 'use a time such as 2024-01-02T03:04:05Z',
      });
    }
    if (time <= now) {
      throw new VaultError('CREDENTIAL_PROCESS_EXPIRED', `${where} returned credentials that expired at ${new Date(time).toISOString()}`, {
        hint: 'the command handed out stale credentials; fix its cache or clock',
      });
    }
    credentials.expiration = new Date(time);
  }
  return credentials;
}

/** 400 Gregorian years (146097 days): computing 400 years later sidesteps `Date.UTC` reading years 0–99 as 1900–1999. */
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch for an RFC 3339 date-time (fractions past milliseconds dropped); undefined if it is not one. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year + 400, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return undefined;
  let offsetMinutes = 0;
  if (!m[8]) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - GREGORIAN_CYCLE_MS - offsetMinutes * 60_000;
}

function showValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
