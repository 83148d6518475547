import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { EmulatorState } from './state.js';

/**
 * IAM Identity Center OIDC (`oidc.<region>.amazonaws.com`, REST-JSON, no signatures), as
 * `@aws-sdk/client-sso-oidc` 3.1164.0 and the AWS CLI call it:
 *
 * - `POST /client/register` RegisterClient: public clients only; `scopes` make its tokens
 *   refreshable; `grantTypes` / `redirectUris` / `issuerUrl` for the authorization-code flow.
 * - `POST /device_authorization` StartDeviceAuthorization: a device code and an `ABCD-EFGH` user
 *   code, valid `deviceCodeTtlSeconds` (600) on the virtual clock, polled every `pollIntervalSeconds`.
 * - `POST /token` CreateToken with the device-code grant (`authorization_pending`, `slow_down`,
 *   `expired_token`, `access_denied`), the refresh-token grant (refresh tokens rotate: the old one
 *   stops working) and the authorization-code grant with PKCE (S256).
 * - `GET /authorize` the browser's authorization request: answers 302 to the loopback
 *   `redirect_uri` with `code` and `state` (the person is signed in and allows it), or with
 *   `error=access_denied` when `authorizationDecision` is `deny`.
 *
 * Errors are 400/401 JSON `{"error","error_description"}` with `x-amzn-errortype`, as AWS sends.
 * The person at the browser is played by the test: {@link SsoOidc.approve} / {@link SsoOidc.deny},
 * or the HTTP test endpoints that `sso.ts` routes.
 */

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface OidcClientRecord {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientName: string;
  readonly scopes: readonly string[];
  readonly grantTypes: readonly string[];
  readonly redirectUris: readonly string[];
  readonly issuerUrl?: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'used';

export interface DeviceAuthorizationRecord {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly clientId: string;
  readonly startUrl: string;
  readonly expiresAt: number;
  status: DeviceStatus;
}

export interface AccessTokenRecord {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly clientId: string;
  readonly startUrl: string;
  readonly userName: string;
  readonly scopes: readonly string[];
  readonly grantType: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  revoked: boolean;
  /** The refresh token was redeemed (refresh tokens are single-use). */
  refreshUsed: boolean;
}

interface AuthorizationCodeRecord {
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly scopes: readonly string[];
  readonly startUrl: string;
  readonly expiresAt: number;
  used: boolean;
}

export interface SsoOidcOptions {
  /** Access-token lifetime; default 8 hours, as IAM Identity Center's default session. */
  accessTokenTtlSeconds?: number;
  /** Device-code lifetime; default 600 s. */
  deviceCodeTtlSeconds?: number;
  /** The `interval` StartDeviceAuthorization returns; default 1 s, as AWS returns. */
  pollIntervalSeconds?: number;
  /** Client-secret lifetime; default 90 days. */
  clientTtlSeconds?: number;
  /** Who signs in at the browser; default `alice@example.com`. */
  userName?: string;
}

/** An OAuth error as SSO-OIDC returns it: HTTP status, the SDK's error shape name and the OAuth `error`. */
export class OidcError extends Error {
  constructor(readonly status: number, readonly code: string, readonly error: string, description: string) {
    super(description);
    this.name = 'OidcError';
  }
}

const pending = () => new OidcError(400, 'AuthorizationPendingException', 'authorization_pending', 'Authorization is still pending');
const invalidGrant = (why = 'Invalid grant provided') => new OidcError(400, 'InvalidGrantException', 'invalid_grant', why);
const invalidClient = () => new OidcError(401, 'InvalidClientException', 'invalid_client', 'Invalid client provided');
const invalidRequest = (why: string) => new OidcError(400, 'InvalidRequestException', 'invalid_request', why);

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const SCOPE = /^[\w.:*/-]{1,256}$/;

function userCode(): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

const opaque = (prefix: string, bytes = 48) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function listField(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Whether `candidate` matches a registered redirect URI; loopback hosts may use any port (RFC 8252 §7.3). */
function redirectAllowed(registered: readonly string[], candidate: string): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  return registered.some((entry) => {
    let reg: URL;
    try {
      reg = new URL(entry);
    } catch {
      return false;
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(reg.hostname);
    return reg.protocol === url.protocol && reg.hostname === url.hostname && reg.pathname === url.pathname && (loopback || reg.port === url.port);
  });
}

export class SsoOidc {
  /** Mutable so a test can shorten lifetimes mid-test. */
  accessTokenTtlSeconds: number;
  deviceCodeTtlSeconds: number;
  pollIntervalSeconds: number;
  clientTtlSeconds: number;
  userName: string;
  /** What the person at the browser answers on `/authorize`. */
  authorizationDecision: 'allow' | 'deny' = 'allow';

  private readonly clients = new Map<string, OidcClientRecord>();
  private readonly devices = new Map<string, DeviceAuthorizationRecord>();
  private readonly codes = new Map<string, AuthorizationCodeRecord>();
  private readonly tokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, AccessTokenRecord>();
  private slowDowns = 0;

  constructor(private readonly state: EmulatorState, options: SsoOidcOptions = {}) {
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 8 * 3600;
    this.deviceCodeTtlSeconds = options.deviceCodeTtlSeconds ?? 600;
    this.pollIntervalSeconds = options.pollIntervalSeconds ?? 1;
    this.clientTtlSeconds = options.clientTtlSeconds ?? 90 * 86400;
    this.userName = options.userName ?? 'alice@example.com';
  }

  // ---- the person at the browser, and other test controls ------------------

  /** Approves a pending device authorization by its user code; false if there is none. */
  approve(userCode: string): boolean {
    return this.decide(userCode, 'approved');
  }

  /** Denies a pending device authorization by its user code; false if there is none. */
  deny(userCode: string): boolean {
    return this.decide(userCode, 'denied');
  }

  /** User codes still waiting for the person, oldest first. */
  pendingUserCodes(): string[] {
    return [...this.devices.values()].filter((d) => d.status === 'pending' && d.expiresAt > this.state.now()).map((d) => d.userCode);
  }

  /** The next `times` device-code polls answer `slow_down`. */
  slowDownNext(times = 1): void {
    this.slowDowns += times;
  }

  /** Revokes every access and refresh token issued so far (an administrator ends all sessions). */
  revokeAllTokens(): number {
    let count = 0;
    for (const token of this.tokens.values()) {
      if (!token.revoked) count++;
      token.revoked = true;
    }
    return count;
  }

  /** Revokes one access token and its refresh token (what portal Logout does). */
  revoke(accessToken: string): boolean {
    const token = this.tokens.get(accessToken);
    if (!token) return false;
    token.revoked = true;
    return true;
  }

  /** The record of a valid (issued, unexpired, unrevoked) access token. */
  validToken(accessToken: string | undefined): AccessTokenRecord | undefined {
    const token = accessToken === undefined ? undefined : this.tokens.get(accessToken);
    return token && !token.revoked && token.expiresAt > this.state.now() ? token : undefined;
  }

  /** Every client registered so far, oldest first. */
  get registeredClients(): readonly OidcClientRecord[] {
    return [...this.clients.values()];
  }

  /** Every access token issued so far (with how it was obtained), oldest first. */
  get issuedTokens(): readonly AccessTokenRecord[] {
    return [...this.tokens.values()];
  }

  // ---- API actions (bodies are parsed JSON) ---------------------------------

  registerClient(body: Record<string, unknown>): Record<string, unknown> {
    const clientName = stringField(body, 'clientName');
    const clientType = stringField(body, 'clientType');
    if (!clientName || !clientType) throw invalidRequest('clientName and clientType are required');
    if (clientType !== 'public') throw new OidcError(400, 'InvalidClientMetadataException', 'invalid_client_metadata', 'Invalid client type');
    const scopes = listField(body, 'scopes');
    if (scopes.some((s) => !SCOPE.test(s))) throw new OidcError(400, 'InvalidScopeException', 'invalid_scope', 'Invalid scope requested');
    const grantTypes = listField(body, 'grantTypes');
    const redirectUris = listField(body, 'redirectUris');
    if (grantTypes.includes('authorization_code') && redirectUris.length === 0) throw invalidRequest('redirectUris are required for the authorization_code grant');
    const now = this.state.now();
    const issuerUrl = stringField(body, 'issuerUrl');
    const client: OidcClientRecord = {
      clientId: opaque('emu-client-', 16),
      clientSecret: opaque('emu-secret-', 48),
      clientName,
      scopes,
      grantTypes,
      redirectUris,
      ...(issuerUrl ? { issuerUrl } : {}),
      issuedAt: now,
      expiresAt: now + this.clientTtlSeconds * 1000,
    };
    this.clients.set(client.clientId, client);
    return { clientId: client.clientId, clientSecret: client.clientSecret, clientIdIssuedAt: Math.floor(now / 1000), clientSecretExpiresAt: Math.floor(client.expiresAt / 1000) };
  }

  startDeviceAuthorization(body: Record<string, unknown>, baseUrl: string): Record<string, unknown> {
    const client = this.client(body);
    const startUrl = stringField(body, 'startUrl');
    if (!startUrl) throw invalidRequest('startUrl is required');
    const record: DeviceAuthorizationRecord = {
      deviceCode: opaque('emu-device-', 32),
      userCode: userCode(),
      clientId: client.clientId,
      startUrl,
      expiresAt: this.state.now() + this.deviceCodeTtlSeconds * 1000,
      status: 'pending',
    };
    this.devices.set(record.deviceCode, record);
    return {
      deviceCode: record.deviceCode,
      userCode: record.userCode,
      verificationUri: `${baseUrl}/device`,
      verificationUriComplete: `${baseUrl}/device?user_code=${record.userCode}`,
      expiresIn: this.deviceCodeTtlSeconds,
      interval: this.pollIntervalSeconds,
    };
  }

  createToken(body: Record<string, unknown>): Record<string, unknown> {
    const client = this.client(body);
    const grantType = stringField(body, 'grantType');
    switch (grantType) {
      case DEVICE_CODE_GRANT:
        return this.deviceGrant(client, stringField(body, 'deviceCode'));
      case 'refresh_token':
        return this.refreshGrant(client, stringField(body, 'refreshToken'));
      case 'authorization_code':
        return this.codeGrant(client, body);
      default:
        throw new OidcError(400, 'UnsupportedGrantTypeException', 'unsupported_grant_type', `Unsupported grant type: ${grantType ?? '(none)'}`);
    }
  }

  /**
   * The browser's `GET /authorize?…`. Returns where to redirect (the loopback URI with `code` or
   * `error`, and `state`), or throws when the request cannot be redirected at all (unknown client,
   * unregistered redirect URI), which the server answers with 400.
   */
  authorize(query: URLSearchParams): string {
    const client = this.clients.get(query.get('client_id') ?? '');
    if (!client || client.expiresAt <= this.state.now()) throw invalidClient();
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!redirectAllowed(client.redirectUris, redirectUri)) throw invalidRequest('redirect_uri is not registered for this client');
    const back = (params: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      const state = query.get('state');
      if (state !== null) url.searchParams.set('state', state);
      return url.toString();
    };
    if (query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    if (!client.grantTypes.includes('authorization_code')) return back({ error: 'unauthorized_client' });
    const challenge = query.get('code_challenge');
    if (!challenge || query.get('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'PKCE with S256 is required' });
    if (this.authorizationDecision === 'deny') return back({ error: 'access_denied' });
    const scopes = (query.get('scopes') ?? '').split(' ').filter((s) => s !== '');
    const code = opaque('emu-code-', 32);
    this.codes.set(code, {
      code,
      clientId: client.clientId,
      redirectUri,
      challenge,
      scopes: scopes.length > 0 ? scopes : client.scopes,
      startUrl: client.issuerUrl ?? '',
      expiresAt: this.state.now() + 5 * 60 * 1000,
      used: false,
    });
    return back({ code });
  }

  // ---- grants -----------------------------------------------------------------

  private deviceGrant(client: OidcClientRecord, deviceCode: string | undefined): Record<string, unknown> {
    const device = deviceCode === undefined ? undefined : this.devices.get(deviceCode);
    if (!device || device.clientId !== client.clientId || device.status === 'used') throw invalidGrant();
    if (device.expiresAt <= this.state.now()) throw new OidcError(400, 'ExpiredTokenException', 'expired_token', 'Device code has expired');
    if (this.slowDowns > 0) {
      this.slowDowns--;
      throw new OidcError(400, 'SlowDownException', 'slow_down', 'Client is polling too quickly');
    }
    if (device.status === 'denied') throw new OidcError(400, 'AccessDeniedException', 'access_denied', 'The user denied the authorization request');
    if (device.status === 'pending') throw pending();
    device.status = 'used';
    return this.issue(client, device.startUrl, client.scopes, DEVICE_CODE_GRANT);
  }

  private refreshGrant(client: OidcClientRecord, refreshToken: string | undefined): Record<string, unknown> {
    const previous = refreshToken === undefined ? undefined : this.refreshTokens.get(refreshToken);
    if (!previous || previous.clientId !== client.clientId || previous.revoked || previous.refreshUsed) throw invalidGrant();
    previous.refreshUsed = true;
    return this.issue(client, previous.startUrl, previous.scopes, 'refresh_token');
  }

  private codeGrant(client: OidcClientRecord, body: Record<string, unknown>): Record<string, unknown> {
    const code = this.codes.get(stringField(body, 'code') ?? '');
    if (!code || code.used || code.clientId !== client.clientId || code.expiresAt <= this.state.now()) throw invalidGrant();
    if (stringField(body, 'redirectUri') !== code.redirectUri) throw invalidGrant('redirect_uri does not match the authorization request');
    const verifier = stringField(body, 'codeVerifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) throw invalidGrant('code_verifier does not match the code_challenge');
    code.used = true;
    return this.issue(client, code.startUrl, code.scopes, 'authorization_code');
  }

  private issue(client: OidcClientRecord, startUrl: string, scopes: readonly string[], grantType: string): Record<string, unknown> {
    const now = this.state.now();
    const refreshable = scopes.length > 0;
    const record: AccessTokenRecord = {
      accessToken: opaque('aoa', 96),
      ...(refreshable ? { refreshToken: opaque('aor', 96) } : {}),
      clientId: client.clientId,
      startUrl,
      userName: this.userName,
      scopes,
      grantType,
      issuedAt: now,
      expiresAt: now + this.accessTokenTtlSeconds * 1000,
      revoked: false,
      refreshUsed: false,
    };
    this.tokens.set(record.accessToken, record);
    if (record.refreshToken) this.refreshTokens.set(record.refreshToken, record);
    return {
      accessToken: record.accessToken,
      tokenType: 'Bearer',
      expiresIn: this.accessTokenTtlSeconds,
      ...(record.refreshToken ? { refreshToken: record.refreshToken } : {}),
    };
  }

  private client(body: Record<string, unknown>): OidcClientRecord {
    const client = this.clients.get(stringField(body, 'clientId') ?? '');
    if (!client || client.clientSecret !== stringField(body, 'clientSecret') || client.expiresAt <= this.state.now()) throw invalidClient();
    return client;
  }

  private decide(code: string, status: 'approved' | 'denied'): boolean {
    for (const device of this.devices.values()) {
      if (device.userCode === code && device.status === 'pending' && device.expiresAt > this.state.now()) {
        device.status = status;
        return true;
      }
    }
    return false;
  }
}
