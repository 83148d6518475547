import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { iso8601, writeFileAtomic, type OidcToken } from '@awsvault/core';

/** One token file of the AWS CLI's SSO cache, in the fields the AWS CLI v2 and the AWS SDKs read. */
export interface AwsCliSsoCacheEntry {
  startUrl: string;
  region: string;
  accessToken: string;
  expiresAt: Date;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  registrationExpiresAt?: Date;
}

/**
 * `~/.aws/sso/cache/<sha1 hex>.json`, where the hash is of the `[sso-session]` name when the
 * profile uses one and of the start URL otherwise, as the AWS CLI and SDKs name the file.
 */
export function awsCliSsoCachePath(home: string, cacheKey: string): string {
  return join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(cacheKey, 'utf8').digest('hex')}.json`);
}

/** Reads a cache file; undefined when it is missing, unreadable, or lacks a token or expiry. */
export function readAwsCliSsoCache(path: string): AwsCliSsoCacheEntry | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const text = (key: string) => (typeof o[key] === 'string' && o[key] !== '' ? (o[key] as string) : undefined);
  // Only times RFC 3339 can write (years 0000-9999): vault's store and aws-vault could not read others back.
  const time = (key: string) => {
    const value = text(key);
    const date = value === undefined ? undefined : new Date(value);
    return date && !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 0 && date.getUTCFullYear() <= 9999 ? date : undefined;
  };
  const accessToken = text('accessToken');
  const expiresAt = time('expiresAt');
  if (!accessToken || !expiresAt) return undefined;
  const entry: AwsCliSsoCacheEntry = { startUrl: text('startUrl') ?? '', region: text('region') ?? '', accessToken, expiresAt };
  const refreshToken = text('refreshToken');
  const clientId = text('clientId');
  const clientSecret = text('clientSecret');
  const registrationExpiresAt = time('registrationExpiresAt');
  if (refreshToken) entry.refreshToken = refreshToken;
  if (clientId) entry.clientId = clientId;
  if (clientSecret) entry.clientSecret = clientSecret;
  if (registrationExpiresAt) entry.registrationExpiresAt = registrationExpiresAt;
  return entry;
}

/**
 * Writes a cache file atomically: a 0600 temp file in the same directory, fsynced, renamed over the
 * target. The directory is created 0700 when missing (an existing one keeps its mode).
 */
export function writeAwsCliSsoCache(path: string, entry: AwsCliSsoCacheEntry): void {
  const json: Record<string, string> = {
    startUrl: entry.startUrl,
    region: entry.region,
    accessToken: entry.accessToken,
    expiresAt: iso8601(entry.expiresAt),
  };
  if (entry.refreshToken) json['refreshToken'] = entry.refreshToken;
  if (entry.clientId) json['clientId'] = entry.clientId;
  if (entry.clientSecret) json['clientSecret'] = entry.clientSecret;
  if (entry.registrationExpiresAt) json['registrationExpiresAt'] = iso8601(entry.registrationExpiresAt);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(path, JSON.stringify(json));
}

/** The cache entry for a vault token (with its client, so the AWS CLI and SDKs can refresh it). */
export function cacheEntryFor(token: OidcToken, startUrl: string, region: string): AwsCliSsoCacheEntry {
  const entry: AwsCliSsoCacheEntry = { startUrl, region, accessToken: token.accessToken, expiresAt: token.expiresAt };
  if (token.refreshToken) entry.refreshToken = token.refreshToken;
  const client = token.registration;
  if (client) {
    entry.clientId = client.clientId;
    entry.clientSecret = client.clientSecret;
    entry.registrationExpiresAt = client.expiresAt;
  }
  return entry;
}

/** A vault token for a cache entry; its client (if any) carries no scopes or flow, so it is used for refreshing only. */
export function tokenFromCacheEntry(entry: AwsCliSsoCacheEntry): OidcToken {
  const token: OidcToken = { accessToken: entry.accessToken, expiresAt: entry.expiresAt, tokenType: 'Bearer' };
  if (entry.refreshToken) token.refreshToken = entry.refreshToken;
  if (entry.clientId && entry.clientSecret && entry.registrationExpiresAt) {
    token.registration = { clientId: entry.clientId, clientSecret: entry.clientSecret, expiresAt: entry.registrationExpiresAt, scopes: [], region: entry.region, flow: '' };
  }
  return token;
}
