import { randomBytes } from 'node:crypto';
import { newRequestId } from './ids.js';
import type { EncodedResponse } from './protocol.js';
import type { Params } from './query.js';
import { OidcError, SsoOidc, type SsoOidcOptions } from './ssoOidc.js';
import type { EmulatorState } from './state.js';

/**
 * IAM Identity Center on the emulator's port: the OIDC service of `ssoOidc.ts` plus the access
 * portal (`portal.sso.<region>.amazonaws.com`, REST-JSON, bearer token in `x-amz-sso_bearer_token`)
 * as `@aws-sdk/client-sso` 3.1164.0 and the AWS CLI call it:
 *
 * - `GET /federation/credentials?role_name=&account_id=` GetRoleCredentials: temporary credentials
 *   for the role of an assignment, registered with the STS state, so they sign STS/IAM calls like
 *   any other (GetCallerIdentity says `assumed-role/AWSReservedSSO_<permission set>_<id>/<user>`).
 * - `GET /assignment/accounts` ListAccounts, `GET /assignment/roles?account_id=` ListAccountRoles
 *   (paginated with `max_result` / `next_token`), `POST /logout` Logout (revokes the token).
 * - A missing, expired (virtual clock) or revoked token is 401 `UnauthorizedException`; a role not
 *   assigned is 403 `ForbiddenException`; a token over its request quota ({@link PortalQuota}) is
 *   429 `TooManyRequestsException`.
 *
 * Test-only endpoints (no auth), standing in for the person at the browser:
 * `POST /_emulator/sso/approve?user_code=ABCD-EFGH`, `POST /_emulator/sso/deny?user_code=…`,
 * `POST /_emulator/sso/revoke` (every token), `POST /_emulator/sso/slow-down?times=N`.
 * `GET /device?user_code=…` is the verification page the device flow links to.
 *
 * Calls are counted and logged in the shared state (`sso:GetRoleCredentials`,
 * `sso-oidc:StartDeviceAuthorization`, …) without tokens or secrets, and `state.failNext` faults apply.
 */

export interface SsoAssignment {
  readonly accountId: string;
  readonly accountName: string;
  readonly emailAddress: string;
  /** The permission set name, which the portal calls the role name. */
  readonly roleName: string;
  /** The IAM role the permission set is provisioned as in the account. */
  readonly roleArn: string;
  readonly sessionDurationSeconds: number;
}

export interface AssignOptions {
  roleName: string;
  accountId?: string;
  accountName?: string;
  /** Permission-set session duration, 900–43200; default 3600. */
  sessionDurationSeconds?: number;
}

/** Options of {@link IdentityCenter.organisation}. */
export interface OrganisationOptions {
  accounts: number;
  /** Role (permission set) names assigned in every account. */
  roles: readonly string[];
  /** First account id; the others follow it. Default 100000000000. */
  firstAccountId?: number;
  /** Account display name from its index (0-based); default `Team <n> Workload` (spaces on purpose). */
  accountName?: (index: number) => string;
}

/**
 * The access portal's per-token request quota: at most `requests` accepted calls in any `windowMs`
 * (sliding, real time); more are answered 429 `TooManyRequestsException` and not counted against it.
 * AWS documents about 20 transactions per second for IAM Identity Center.
 */
export interface PortalQuota {
  requests: number;
  windowMs: number;
  /** Sent as `Retry-After` on a 429 when set (the real portal is not documented to send it). */
  retryAfterSeconds?: number;
}

export const DEFAULT_PORTAL_QUOTA: PortalQuota = { requests: 20, windowMs: 1000 };

/** Portal counters a test reads: every portal request (after routing) and the ones refused with 429. */
export interface PortalStats {
  requests: number;
  throttled: number;
}

const OIDC_ROUTES: Record<string, { method: string; action: string }> = {
  '/client/register': { method: 'POST', action: 'RegisterClient' },
  '/device_authorization': { method: 'POST', action: 'StartDeviceAuthorization' },
  '/token': { method: 'POST', action: 'CreateToken' },
};
const PORTAL_ROUTES: Record<string, { method: string; action: string }> = {
  '/federation/credentials': { method: 'GET', action: 'GetRoleCredentials' },
  '/assignment/accounts': { method: 'GET', action: 'ListAccounts' },
  '/assignment/roles': { method: 'GET', action: 'ListAccountRoles' },
  '/logout': { method: 'POST', action: 'Logout' },
};
const TEST_PREFIX = '/_emulator/sso/';

function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return (queryAt < 0 ? url : url.slice(0, queryAt)).replace(/\/+$/, '') || '/';
}

/** Whether a request is for IAM Identity Center (OIDC, portal, or its test endpoints) rather than STS/IAM. */
export function isSsoRequest(url: string): boolean {
  const path = pathOf(url);
  return path in OIDC_ROUTES || path in PORTAL_ROUTES || path === '/authorize' || path === '/device' || `${path}/`.startsWith(TEST_PREFIX);
}

class PortalError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const unauthorized = () => new PortalError(401, 'UnauthorizedException', 'Session token not found or invalid');

function json(status: number, body: unknown, extra: Record<string, string> = {}): EncodedResponse {
  return { status, headers: { 'content-type': 'application/json', ...extra }, body: body === undefined ? '' : JSON.stringify(body) };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * One page as the portal pages: `max_result` 1..100 (default 20), `next_token` an opaque token from
 * the previous page of the same listing; anything else is 400 InvalidRequestException.
 */
function page<T>(items: readonly T[], query: URLSearchParams, listing: string): { items: T[]; nextToken?: string } {
  const maxText = query.get('max_result');
  const max = maxText === null ? 20 : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new PortalError(400, 'InvalidRequestException', 'maxResults must be between 1 and 100');
  const tokenText = query.get('next_token');
  let start = 0;
  if (tokenText !== null) {
    const decoded = /^([a-z0-9:]+)\|(\d+)$/.exec(Buffer.from(tokenText, 'base64url').toString('utf8'));
    if (!decoded || decoded[1] !== listing) throw new PortalError(400, 'InvalidRequestException', 'Invalid nextToken');
    start = Number(decoded[2]);
  }
  const slice = items.slice(start, start + max);
  const nextToken = Buffer.from(`${listing}|${start + max}`, 'utf8').toString('base64url');
  return start + max < items.length ? { items: slice, nextToken } : { items: slice };
}

export class IdentityCenter {
  readonly oidc: SsoOidc;
  private readonly assignments: SsoAssignment[] = [];
  /** The per-token quota of the portal calls; `undefined` turns throttling off. */
  portalQuota: PortalQuota | undefined = { ...DEFAULT_PORTAL_QUOTA };
  /** Portal counters since the start or {@link resetPortalStats}. */
  readonly portalStats: PortalStats = { requests: 0, throttled: 0 };
  /** Accepted call times per access token, for the quota. */
  private readonly recentCalls = new Map<string, number[]>();

  constructor(private readonly state: EmulatorState, options: SsoOidcOptions = {}) {
    this.oidc = new SsoOidc(state, options);
  }

  /**
   * Assigns a permission set in an account to the signed-in user, and provisions its IAM role
   * (`AWSReservedSSO_<roleName>_<16 hex>`) in the STS state; returns the assignment.
   */
  assign(options: AssignOptions): SsoAssignment {
    const accountId = options.accountId ?? this.state.defaultAccountId;
    const duration = options.sessionDurationSeconds ?? 3600;
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) throw new Error('sessionDurationSeconds must be 900..43200');
    if (this.assignments.some((a) => a.accountId === accountId && a.roleName === options.roleName)) throw new Error(`${options.roleName} is already assigned in ${accountId}`);
    const suffix = randomBytes(8).toString('hex');
    const role = this.state.createRole({ name: `AWSReservedSSO_${options.roleName}_${suffix}`, accountId, trustedPrincipals: [], maxSessionDuration: Math.max(3600, duration) });
    const assignment: SsoAssignment = {
      accountId,
      accountName: options.accountName ?? `account-${accountId}`,
      emailAddress: `aws+${accountId}@example.com`,
      roleName: options.roleName,
      roleArn: role.arn,
      sessionDurationSeconds: duration,
    };
    this.assignments.push(assignment);
    return assignment;
  }

  /**
   * Assigns `roles` in `accounts` accounts (ids counting up from `firstAccountId`), as a large
   * organisation would look to the signed-in user; returns the assignments made.
   */
  organisation(options: OrganisationOptions): SsoAssignment[] {
    const first = options.firstAccountId ?? 100_000_000_000;
    const made: SsoAssignment[] = [];
    for (let i = 0; i < options.accounts; i++) {
      const accountId = String(first + i).padStart(12, '0');
      const accountName = options.accountName?.(i) ?? `Team ${i + 1} Workload`;
      for (const roleName of options.roles) made.push(this.assign({ roleName, accountId, accountName }));
    }
    return made;
  }

  /** Removes an assignment (the role leaves the portal's listing; its IAM role stays); false if none. */
  unassign(accountId: string, roleName: string): boolean {
    const index = this.assignments.findIndex((a) => a.accountId === accountId && a.roleName === roleName);
    if (index < 0) return false;
    this.assignments.splice(index, 1);
    return true;
  }

  resetPortalStats(): void {
    this.portalStats.requests = 0;
    this.portalStats.throttled = 0;
    this.recentCalls.clear();
  }

  /** Counts an accepted call of `token` against the quota; false when it is over (nothing counted). */
  private withinQuota(token: string): boolean {
    const quota = this.portalQuota;
    if (!quota) return true;
    const now = Date.now();
    const calls = (this.recentCalls.get(token) ?? []).filter((t) => now - t < quota.windowMs);
    if (calls.length >= quota.requests) {
      this.recentCalls.set(token, calls);
      return false;
    }
    calls.push(now);
    this.recentCalls.set(token, calls);
    return true;
  }

  /** Handles one request routed here by {@link isSsoRequest}; never throws. */
  handle(method: string, url: string, headers: Record<string, string | string[] | undefined>, body: string): EncodedResponse {
    const path = pathOf(url);
    const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const baseUrl = `http://${header(headers, 'host') ?? '127.0.0.1'}`;
    if (`${path}/`.startsWith(TEST_PREFIX)) return this.testEndpoint(path.slice(TEST_PREFIX.length), query, body);
    if (path === '/device') return this.devicePage(query);
    if (path === '/authorize') return this.authorize(query);
    const oidcRoute = OIDC_ROUTES[path];
    if (oidcRoute) return this.oidcCall(oidcRoute, method, body, baseUrl);
    const portalRoute = PORTAL_ROUTES[path] as { method: string; action: string };
    return this.portalCall(portalRoute, method, query, header(headers, 'x-amz-sso_bearer_token'));
  }

  // ---- OIDC -------------------------------------------------------------------

  private oidcCall(route: { method: string; action: string }, method: string, body: string, baseUrl: string): EncodedResponse {
    const requestId = newRequestId();
    this.state.countCall('sso-oidc', route.action);
    let params: Params = {};
    try {
      if (method.toUpperCase() !== route.method) throw new OidcError(405, 'InvalidRequestException', 'invalid_request', `use ${route.method}`);
      let parsed: unknown;
      try {
        parsed = body ? JSON.parse(body) : {};
      } catch {
        throw new OidcError(400, 'InvalidRequestException', 'invalid_request', 'The request body is not JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OidcError(400, 'InvalidRequestException', 'invalid_request', 'The request body is not a JSON object');
      const input = parsed as Record<string, unknown>;
      params = oidcParams(input);
      const fault = this.state.takeFault('sso-oidc', route.action);
      // As in server.ts, a fault under 400 only delays (not emulated here); others fail the call.
      if (fault && fault.status >= 400) throw new OidcError(fault.status, fault.code, fault.code, fault.message);
      const result =
        route.action === 'RegisterClient' ? this.oidc.registerClient(input)
        : route.action === 'StartDeviceAuthorization' ? this.oidc.startDeviceAuthorization(input, baseUrl)
        : this.oidc.createToken(input);
      this.log(requestId, 'sso-oidc', route.action, params, 200);
      return json(200, result, { 'x-amzn-requestid': requestId });
    } catch (error) {
      const e = error instanceof OidcError ? error : internalError(error);
      this.log(requestId, 'sso-oidc', route.action, params, e.status, e.code);
      return json(e.status, { error: e.error, error_description: e.message }, { 'x-amzn-errortype': e.code, 'x-amzn-requestid': requestId });
    }
  }

  private authorize(query: URLSearchParams): EncodedResponse {
    const requestId = newRequestId();
    this.state.countCall('sso-oidc', 'Authorize');
    const params: Params = {};
    for (const key of ['client_id', 'redirect_uri', 'response_type', 'code_challenge_method', 'scopes']) {
      const value = query.get(key);
      if (value !== null) params[key] = value;
    }
    try {
      const location = this.oidc.authorize(query);
      this.log(requestId, 'sso-oidc', 'Authorize', params, 302);
      return { status: 302, headers: { location, 'content-type': 'text/html' }, body: '' };
    } catch (error) {
      const e = error instanceof OidcError ? error : internalError(error);
      this.log(requestId, 'sso-oidc', 'Authorize', params, 400, e.code);
      return { status: 400, headers: { 'content-type': 'text/plain' }, body: `${e.error}: ${e.message}\n` };
    }
  }

  private devicePage(query: URLSearchParams): EncodedResponse {
    const code = query.get('user_code') ?? '';
    const text = `Emulated IAM Identity Center device page. A test approves ${code ? `code ${code}` : 'a code'} with POST ${TEST_PREFIX}approve?user_code=${code || '<code>'}.`;
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: `${text}\n` };
  }

  // ---- portal -------------------------------------------------------------------

  private portalCall(route: { method: string; action: string }, method: string, query: URLSearchParams, bearer: string | undefined): EncodedResponse {
    const requestId = newRequestId();
    this.state.countCall('sso', route.action);
    this.portalStats.requests++;
    const params: Params = {};
    for (const key of ['account_id', 'role_name', 'max_result', 'next_token']) {
      const value = query.get(key);
      if (value !== null) params[key] = value;
    }
    try {
      if (method.toUpperCase() !== route.method) throw new PortalError(405, 'InvalidRequestException', `use ${route.method}`);
      const token = this.oidc.validToken(bearer);
      if (!token) throw unauthorized();
      if (!this.withinQuota(token.accessToken)) {
        this.portalStats.throttled++;
        this.log(requestId, 'sso', route.action, params, 429, 'TooManyRequestsException');
        const retryAfter = this.portalQuota?.retryAfterSeconds;
        return json(429, { message: 'Rate exceeded' }, {
          'x-amzn-errortype': 'TooManyRequestsException',
          'x-amzn-requestid': requestId,
          ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
        });
      }
      const fault = this.state.takeFault('sso', route.action);
      if (fault && fault.status >= 400) throw new PortalError(fault.status, fault.code, fault.message);
      const result = this.portalAction(route.action, query, token.accessToken, token.userName);
      this.log(requestId, 'sso', route.action, params, 200);
      return json(200, result, { 'x-amzn-requestid': requestId });
    } catch (error) {
      const e: { status: number; code: string; message: string } = error instanceof PortalError ? error : internalError(error);
      this.log(requestId, 'sso', route.action, params, e.status, e.code);
      return json(e.status, { message: e.message }, { 'x-amzn-errortype': e.code, 'x-amzn-requestid': requestId });
    }
  }

  private portalAction(action: string, query: URLSearchParams, accessToken: string, userName: string): unknown {
    switch (action) {
      case 'GetRoleCredentials': {
        const accountId = query.get('account_id');
        const roleName = query.get('role_name');
        if (!accountId || !roleName) throw new PortalError(400, 'InvalidRequestException', 'account_id and role_name are required');
        const assignment = this.assignments.find((a) => a.accountId === accountId && a.roleName === roleName);
        if (!assignment) throw new PortalError(403, 'ForbiddenException', 'No access');
        const session = this.state.issueSession(
          {
            kind: 'assumed-role',
            accountId,
            mfaAuthenticated: false,
            issuedBy: 'sso',
            roleArn: assignment.roleArn,
            roleSessionName: userName,
            tags: [],
            transitiveTagKeys: [],
          },
          assignment.sessionDurationSeconds,
        );
        return {
          roleCredentials: {
            accessKeyId: session.accessKeyId,
            secretAccessKey: session.secretAccessKey,
            sessionToken: session.sessionToken,
            expiration: session.expiresAt,
          },
        };
      }
      case 'ListAccounts': {
        const accounts = [...new Map(this.assignments.map((a) => [a.accountId, { accountId: a.accountId, accountName: a.accountName, emailAddress: a.emailAddress }])).values()];
        const { items, nextToken } = page(accounts, query, 'accounts');
        return { accountList: items, ...(nextToken ? { nextToken } : {}) };
      }
      case 'ListAccountRoles': {
        const accountId = query.get('account_id');
        if (!accountId) throw new PortalError(400, 'InvalidRequestException', 'account_id is required');
        const roles = this.assignments.filter((a) => a.accountId === accountId).map((a) => ({ roleName: a.roleName, accountId: a.accountId }));
        const { items, nextToken } = page(roles, query, `roles:${accountId}`);
        return { roleList: items, ...(nextToken ? { nextToken } : {}) };
      }
      default:
        this.oidc.revoke(accessToken);
        return undefined;
    }
  }

  // ---- test endpoints ---------------------------------------------------------------

  private testEndpoint(name: string, query: URLSearchParams, body: string): EncodedResponse {
    const form = new URLSearchParams(body.trim().startsWith('{') ? '' : body);
    let fromJson: Record<string, unknown> = {};
    if (body.trim().startsWith('{')) {
      try {
        fromJson = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return json(400, { message: 'body is not JSON' });
      }
    }
    const param = (key: string) => query.get(key) ?? form.get(key) ?? (typeof fromJson[key] === 'string' ? (fromJson[key] as string) : undefined);
    switch (name) {
      case 'approve':
      case 'deny': {
        const code = param('user_code') ?? '';
        const done = name === 'approve' ? this.oidc.approve(code) : this.oidc.deny(code);
        return done ? json(200, { [name === 'approve' ? 'approved' : 'denied']: code }) : json(404, { message: `no pending authorization with user code ${code}` });
      }
      case 'revoke':
        return json(200, { revoked: this.oidc.revokeAllTokens() });
      case 'slow-down': {
        const times = Number(param('times') ?? '1');
        if (!Number.isInteger(times) || times < 1) return json(400, { message: 'times must be a positive integer' });
        this.oidc.slowDownNext(times);
        return json(200, { slowDown: times });
      }
      case 'pending':
        return json(200, { userCodes: this.oidc.pendingUserCodes() });
      case 'quota': {
        // requests=0 turns throttling off.
        const requests = Number(param('requests') ?? '');
        const windowMs = Number(param('window_ms') ?? '1000');
        const retryAfter = param('retry_after');
        if (!Number.isInteger(requests) || requests < 0 || !Number.isInteger(windowMs) || windowMs < 1) return json(400, { message: 'requests (>= 0) and window_ms (>= 1) must be integers' });
        this.portalQuota = requests === 0 ? undefined : { requests, windowMs, ...(retryAfter ? { retryAfterSeconds: Number(retryAfter) } : {}) };
        return json(200, { quota: this.portalQuota ?? null });
      }
      case 'stats':
        return json(200, { ...this.portalStats });
      default:
        return json(404, { message: `unknown test endpoint ${name}` });
    }
  }

  private log(requestId: string, service: string, action: string, params: Params, status: number, errorCode?: string): void {
    this.state.record({ at: this.state.now(), requestId, service, action, params, status, ...(errorCode === undefined ? {} : { errorCode }) });
  }
}

/** Request fields worth logging; tokens, secrets, codes and verifiers never are. */
function oidcParams(input: Record<string, unknown>): Params {
  const params: Params = {};
  for (const key of ['clientName', 'clientType', 'clientId', 'grantType', 'startUrl', 'issuerUrl', 'redirectUri']) {
    const value = input[key];
    if (typeof value === 'string') params[key] = value;
  }
  for (const key of ['scopes', 'grantTypes', 'redirectUris']) {
    const value = input[key];
    if (Array.isArray(value)) params[key] = value.join(' ');
  }
  return params;
}

function internalError(error: unknown): OidcError {
  // Keep emulator bugs visible to the test author without leaking request contents.
  console.error('[aws-emulator] internal error:', error instanceof Error ? error.stack : error);
  return new OidcError(500, 'InternalServerException', 'server_error', 'An internal error occurred');
}
