import { randomBytes } from 'node:crypto';
import type { EncodedResponse } from './protocol.js';
import { parseQueryString, type Params } from './query.js';
import type { EmulatorState, SessionKind } from './state.js';

/**
 * The console federation endpoint (`https://signin.aws.amazon.com/federation`), as described in
 * "Enable custom identity broker access to the AWS console":
 *
 * - `GET /federation?Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}`
 *   checks the three values against the temporary credentials the emulator issued and answers
 *   `{"SigninToken":"…"}`. Long-term keys, unknown or expired sessions, a wrong secret or token,
 *   and GetSessionToken sessions (which AWS does not let into the console) get 400.
 *   `SessionDuration` is accepted (900–43200) for role sessions only.
 * - `GET /federation?Action=login&Issuer=…&Destination=…&SigninToken=…` answers 302 to the
 *   destination while the token is valid (15 minutes), else 400.
 * - `GET /oauth?Action=logout&redirect_uri=…` answers 302 to `redirect_uri` (console sign-out).
 *
 * Requests are recorded without secrets: the session's access key id, what it was, and the outcome.
 */

/** Sign-in tokens are valid for 15 minutes, as AWS documents. */
export const SIGNIN_TOKEN_TTL_MS = 15 * 60 * 1000;

export interface FederationRecord {
  /** Virtual-clock time of the request. */
  readonly at: number;
  readonly action: string;
  readonly status: number;
  /** Why the request was refused, when it was. */
  readonly error?: string;
  /** getSigninToken: the session's access key id (`sessionId`), never its secret or token. */
  readonly sessionId?: string;
  /** getSigninToken: what the session is, when the emulator issued it. */
  readonly sessionKind?: SessionKind;
  readonly roleArn?: string;
  readonly federatedName?: string;
  readonly userName?: string;
  /** getSigninToken: whether a SessionDuration parameter was sent, and its value. */
  readonly sessionDuration?: string;
  /** getSigninToken: the token issued; login: the token presented. */
  readonly signinToken?: string;
  /** login: `Issuer` and `Destination` as received. */
  readonly issuer?: string;
  readonly destination?: string;
  /** logout: `redirect_uri` as received. */
  readonly redirectUri?: string;
}

interface IssuedToken {
  readonly sessionId: string;
  readonly expiresAt: number;
}

const ROUTED_PATHS = new Set(['/federation', '/oauth']);
const ROUTED_ACTIONS = new Set(['getSigninToken', 'login', 'logout']);

/** Whether a request is for the federation endpoint (by path, or by its `Action`) rather than STS/IAM. */
export function isFederationRequest(url: string): boolean {
  const queryAt = url.indexOf('?');
  const path = (queryAt < 0 ? url : url.slice(0, queryAt)).replace(/\/+$/, '');
  if (ROUTED_PATHS.has(path)) return true;
  if (queryAt < 0) return false;
  const action = new URLSearchParams(url.slice(queryAt + 1)).get('Action');
  return action !== null && ROUTED_ACTIONS.has(action);
}

function json(status: number, body: unknown): EncodedResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export class FederationEndpoint {
  private log: FederationRecord[] = [];
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly state: EmulatorState) {}

  /** Every federation request, oldest first. */
  get requests(): readonly FederationRecord[] {
    return this.log;
  }

  /** How many requests named this action (`getSigninToken`, `login`, `logout`), failed ones included. */
  calls(action: string): number {
    return this.log.filter((r) => r.action === action).length;
  }

  /** The session a sign-in token was issued for, while the token is valid. */
  tokenSession(signinToken: string): { sessionId: string } | undefined {
    const issued = this.tokens.get(signinToken);
    return issued && issued.expiresAt > this.state.now() ? { sessionId: issued.sessionId } : undefined;
  }

  /** Forgets the request log (issued tokens stay valid). */
  reset(): void {
    this.log = [];
  }

  handle(method: string, url: string, body: string): EncodedResponse {
    const queryAt = url.indexOf('?');
    const params: Params = queryAt < 0 ? {} : parseQueryString(url.slice(queryAt + 1));
    if (method.toUpperCase() === 'POST' && body) Object.assign(params, parseQueryString(body));
    switch (params.Action) {
      case 'getSigninToken':
        return this.getSigninToken(params);
      case 'login':
        return this.login(params);
      case 'logout':
        return this.logout(params);
      default:
        return this.refuse(params.Action ?? '', 400, `unknown federation action ${params.Action ?? '(none)'}`);
    }
  }

  private record(entry: Omit<FederationRecord, 'at'>): void {
    this.log.push({ at: this.state.now(), ...entry });
  }

  private refuse(action: string, status: number, error: string, extra: Partial<FederationRecord> = {}): EncodedResponse {
    this.record({ action, status, error, ...extra });
    return json(status, { message: error });
  }

  private getSigninToken(params: Params): EncodedResponse {
    const action = 'getSigninToken';
    const duration = params.SessionDuration === undefined ? {} : { sessionDuration: params.SessionDuration };
    let session: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown };
    try {
      session = JSON.parse(params.Session ?? '') as typeof session;
    } catch {
      return this.refuse(action, 400, 'Session is not JSON', duration);
    }
    const { sessionId, sessionKey, sessionToken } = session ?? {};
    if (typeof sessionId !== 'string' || typeof sessionKey !== 'string' || typeof sessionToken !== 'string' || !sessionId || !sessionKey) {
      return this.refuse(action, 400, 'Session needs sessionId, sessionKey and sessionToken', duration);
    }
    const seen = { sessionId, ...duration };
    if (sessionToken === '') return this.refuse(action, 400, 'long-term access keys cannot sign in to the console', seen);
    const record = this.state.session(sessionId);
    if (!record) {
      const longTerm = this.state.accessKeyState(sessionId) !== 'unknown';
      return this.refuse(action, 400, longTerm ? 'long-term access keys cannot sign in to the console' : 'unknown session', seen);
    }
    const described = {
      ...seen,
      sessionKind: record.kind,
      ...(record.roleArn === undefined ? {} : { roleArn: record.roleArn }),
      ...(record.federatedName === undefined ? {} : { federatedName: record.federatedName }),
      ...(record.userName === undefined ? {} : { userName: record.userName }),
    };
    if (record.secretAccessKey !== sessionKey || record.sessionToken !== sessionToken) return this.refuse(action, 400, 'the session key or token does not match', described);
    if (record.expiresAt <= this.state.now()) return this.refuse(action, 400, 'the session has expired', described);
    if (record.kind === 'session-token') return this.refuse(action, 400, 'GetSessionToken sessions cannot sign in to the console', described);
    if (params.SessionDuration !== undefined) {
      const seconds = Number(params.SessionDuration);
      if (record.kind !== 'assumed-role') return this.refuse(action, 400, 'SessionDuration is only allowed with role sessions', described);
      if (!Number.isInteger(seconds) || seconds < 900 || seconds > 43200) return this.refuse(action, 400, 'SessionDuration must be 900..43200', described);
    }
    const signinToken = randomBytes(48).toString('base64url');
    this.tokens.set(signinToken, { sessionId, expiresAt: this.state.now() + SIGNIN_TOKEN_TTL_MS });
    this.record({ action, status: 200, ...described, signinToken });
    return json(200, { SigninToken: signinToken });
  }

  private login(params: Params): EncodedResponse {
    const action = 'login';
    const seen = {
      ...(params.Issuer === undefined ? {} : { issuer: params.Issuer }),
      ...(params.Destination === undefined ? {} : { destination: params.Destination }),
      ...(params.SigninToken === undefined ? {} : { signinToken: params.SigninToken }),
    };
    const issued = params.SigninToken === undefined ? undefined : this.tokens.get(params.SigninToken);
    if (!issued) return this.refuse(action, 400, 'unknown SigninToken', seen);
    if (issued.expiresAt <= this.state.now()) return this.refuse(action, 400, 'the SigninToken has expired', seen);
    if (!params.Destination || !/^https:\/\//.test(params.Destination)) return this.refuse(action, 400, 'Destination must be an https URL', seen);
    this.record({ action, status: 302, ...seen, sessionId: issued.sessionId });
    return { status: 302, headers: { location: params.Destination }, body: '' };
  }

  private logout(params: Params): EncodedResponse {
    const action = 'logout';
    const redirect = params.redirect_uri;
    if (!redirect) return this.refuse(action, 400, 'redirect_uri is missing');
    this.record({ action, status: 302, redirectUri: redirect });
    return { status: 302, headers: { location: redirect }, body: '' };
  }
}
