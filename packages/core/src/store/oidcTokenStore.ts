import type { Backend } from '../backend.js';
import { isItemNotFound } from '../errors.js';
import { silentLogger, type DebugLogger } from '../logger.js';
import { goField, iso8601 } from './goJson.js';

/** The prefix of every SSO access-token item: `oidc:<start url>`, the URL verbatim. */
const PREFIX = 'oidc:';

/**
 * The OIDC client an access token was obtained with. Refreshing a token needs the same client, so
 * vault keeps it beside the token (aws-vault ignores the field). @public
 */
export interface OidcClientRegistration {
  clientId: string;
  clientSecret: string;
  /** When the client secret stops working (`clientSecretExpiresAt`). */
  expiresAt: Date;
  /** The scopes the client was registered with; empty for a legacy (unrefreshable) client. */
  scopes: string[];
  /** The SSO region the client lives in. */
  region: string;
  /** How the client signs in: `device` (device authorization) or `pkce` (authorization code). */
  flow: string;
}

/** An IAM Identity Center access token as vault keeps it. @public */
export interface OidcToken {
  accessToken: string;
  expiresAt: Date;
  /** Seconds the token was issued for (`ExpiresIn` of CreateToken). */
  expiresIn?: number;
  tokenType?: string;
  refreshToken?: string;
  idToken?: string;
  registration?: OidcClientRegistration;
}

/** The item key of the token for a start URL. @public */
export function oidcTokenKey(startUrl: string): string {
  return `${PREFIX}${startUrl}`;
}

/**
 * Writes a token in aws-vault's payload: the SDK's `CreateTokenOutput` under `Token` plus
 * `Expiration`, so aws-vault reads vault's tokens and the other way round. vault adds `Registration`
 * (the OIDC client, for the refresh-token grant), which Go's decoder skips. @public
 */
export function formatOidcTokenPayload(token: OidcToken, now: number = Date.now()): Uint8Array {
  const expiresIn = token.expiresIn ?? Math.max(0, Math.round((token.expiresAt.getTime() - now) / 1000));
  const payload: Record<string, unknown> = {
    Token: {
      AccessToken: token.accessToken,
      ExpiresIn: Math.trunc(expiresIn),
      IdToken: token.idToken ?? null,
      RefreshToken: token.refreshToken ?? null,
      TokenType: token.tokenType ?? 'Bearer',
      ResultMetadata: {},
    },
    Expiration: token.expiresAt.toISOString(),
  };
  if (token.registration) {
    const r = token.registration;
    payload['Registration'] = {
      ClientId: r.clientId,
      ClientSecret: r.clientSecret,
      ExpiresAt: r.expiresAt.toISOString(),
      Scopes: r.scopes,
      Region: r.region,
      Flow: r.flow,
    };
  }
  return new TextEncoder().encode(JSON.stringify(payload));
}

/** Parses a token item leniently (Go JSON rules: any case of field names, nulls, unknown fields); undefined when unusable. @public */
export function parseOidcTokenPayload(data: Uint8Array): OidcToken | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const inner = goField(parsed, 'Token');
  if (!isObject(inner)) return undefined;
  const accessToken = goField(inner, 'AccessToken');
  const expiration = parseTime(goField(parsed, 'Expiration'));
  if (typeof accessToken !== 'string' || accessToken === '' || !expiration) return undefined;
  const token: OidcToken = { accessToken, expiresAt: expiration };
  const expiresIn = goField(inner, 'ExpiresIn');
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn)) token.expiresIn = expiresIn;
  const optional = [['TokenType', 'tokenType'], ['RefreshToken', 'refreshToken'], ['IdToken', 'idToken']] as const;
  for (const [field, name] of optional) {
    const value = goField(inner, field);
    if (typeof value === 'string' && value !== '') token[name] = value;
  }
  const registration = parseRegistration(goField(parsed, 'Registration'));
  if (registration) token.registration = registration;
  return token;
}

function parseRegistration(value: unknown): OidcClientRegistration | undefined {
  if (!isObject(value)) return undefined;
  const clientId = goField(value, 'ClientId');
  const clientSecret = goField(value, 'ClientSecret');
  const expiresAt = parseTime(goField(value, 'ExpiresAt'));
  if (typeof clientId !== 'string' || !clientId || typeof clientSecret !== 'string' || !clientSecret || !expiresAt) return undefined;
  const scopes = goField(value, 'Scopes');
  const region = goField(value, 'Region');
  const flow = goField(value, 'Flow');
  return {
    clientId,
    clientSecret,
    expiresAt,
    scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [],
    region: typeof region === 'string' ? region : '',
    flow: typeof flow === 'string' ? flow : '',
  };
}

/**
 * SSO access tokens in the backend under aws-vault's item names (`oidc:<start url>`), payload,
 * label and description. Unlike aws-vault, `get` hands back an expired token too: one with a
 * refresh token can still be renewed without a new login. @public
 */
export class OidcTokenStore {
  private readonly debug: DebugLogger;

  constructor(private readonly backend: Backend, options: { debug?: DebugLogger } = {}) {
    this.debug = options.debug ?? silentLogger;
  }

  /** The token stored for a start URL, expired or not; undefined when there is none. Unreadable items are deleted. */
  async get(startUrl: string): Promise<OidcToken | undefined> {
    const key = oidcTokenKey(startUrl);
    let data: Uint8Array;
    try {
      data = (await this.backend.get(key)).data;
    } catch (error) {
      if (isItemNotFound(error)) return undefined;
      throw error;
    }
    const token = parseOidcTokenPayload(data);
    if (token) return token;
    this.debug(`deleting unreadable SSO token item for ${startUrl}`);
    await this.removeQuietly(key);
    return undefined;
  }

  /** Stores (replaces) the token for a start URL. */
  async set(startUrl: string, token: OidcToken): Promise<void> {
    await this.backend.set({
      key: oidcTokenKey(startUrl),
      data: formatOidcTokenPayload(token),
      label: `aws-vault oidc token for ${startUrl} (expires ${iso8601(token.expiresAt)})`,
      description: 'aws-vault oidc token',
    });
    this.debug(`stored the SSO token for ${startUrl} until ${iso8601(token.expiresAt)}${token.refreshToken ? ' (refreshable)' : ''}`);
  }

  /**
   * Removes the token for a start URL. With `onlyAccessToken`, only when the stored token is that
   * one: another process may already have replaced a rejected token with a good one. Returns
   * whether an item was removed.
   */
  async remove(startUrl: string, options: { onlyAccessToken?: string } = {}): Promise<boolean> {
    if (options.onlyAccessToken !== undefined) {
      const stored = await this.get(startUrl);
      if (!stored || stored.accessToken !== options.onlyAccessToken) return false;
    }
    return this.removeQuietly(oidcTokenKey(startUrl));
  }

  /** The start URLs that have a token item, in store order (no item is decrypted). */
  async list(): Promise<Array<{ startUrl: string; itemKey: string }>> {
    return (await this.backend.keys()).filter((key) => key.startsWith(PREFIX)).map((itemKey) => ({ startUrl: itemKey.slice(PREFIX.length), itemKey }));
  }

  private async removeQuietly(key: string): Promise<boolean> {
    try {
      await this.backend.remove(key);
      return true;
    } catch (error) {
      if (isItemNotFound(error)) return false;
      throw error;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Go `time.Time` JSON value (RFC 3339, any offset, optional fraction); undefined otherwise. */
function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return undefined;
  // Date keeps milliseconds; finer fractions are cut, which only shortens the lifetime.
  const date = new Date(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() <= 1 ? undefined : date;
}
