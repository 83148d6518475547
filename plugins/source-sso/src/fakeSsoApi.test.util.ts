// A small in-memory IAM Identity Center (OIDC + portal) and a scripted person at the browser,
// for unit tests. The whole-CLI tests in e2e/ use the HTTP emulator instead.
import { createHash } from 'node:crypto';
import type { LoginIo } from './loginIo.js';
import type { OpenResult } from './openBrowser.js';
import { DEVICE_CODE_GRANT, type CreateTokenInput, type IssuedToken, type SsoApiFactory, type SsoOidcApi, type SsoPortalApi } from './ssoApi.js';

export class AwsLikeError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(name: string, status: number, message = name) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

interface Token {
  accessToken: string;
  refreshToken?: string;
  clientId: string;
  expiresAt: number;
  revoked: boolean;
}

/** What the person at the browser does with the next device authorization. */
export type Person = { approveAfterPolls: number } | 'deny' | 'never';

export class FakeIdentityCenter implements SsoApiFactory {
  now = Date.UTC(2024, 0, 1, 12);
  tokenTtlSeconds = 8 * 3600;
  interval = 1;
  person: Person = { approveAfterPolls: 1 };
  slowDowns = 0;
  portal401s = 0;
  calls = { register: 0, startDevice: 0, deviceToken: 0, refresh: 0, code: 0, roleCredentials: 0 };
  registrations: Array<Record<string, unknown>> = [];
  roleRequests: Array<{ accessToken: string; accountId: string; roleName: string }> = [];
  clients = new Map<string, { secret: string; scopes: string[] }>();
  tokens = new Map<string, Token>();
  challenges = new Map<string, string>();
  private n = 0;
  private devices = new Map<string, { clientId: string; polls: number; person: Person }>();

  next(prefix: string): string {
    return `${prefix}-${++this.n}`;
  }

  issue(clientId: string, withRefresh: boolean): IssuedToken {
    const token: Token = { accessToken: this.next('access'), clientId, expiresAt: this.now + this.tokenTtlSeconds * 1000, revoked: false };
    if (withRefresh) token.refreshToken = this.next('refresh');
    this.tokens.set(token.accessToken, token);
    return { accessToken: token.accessToken, tokenType: 'Bearer', expiresIn: this.tokenTtlSeconds, ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}) };
  }

  revokeAll(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  async oidc(): Promise<SsoOidcApi> {
    return {
      registerClient: async (input) => {
        this.calls.register++;
        this.registrations.push({ ...input });
        const clientId = this.next('client');
        this.clients.set(clientId, { secret: `${clientId}-secret`, scopes: input.scopes ?? [] });
        return { clientId, clientSecret: `${clientId}-secret`, clientSecretExpiresAt: Math.floor(this.now / 1000) + 90 * 86400 };
      },
      startDeviceAuthorization: async (input) => {
        this.calls.startDevice++;
        this.checkClient(input.clientId, input.clientSecret);
        const deviceCode = this.next('device');
        this.devices.set(deviceCode, { clientId: input.clientId, polls: 0, person: this.person });
        const userCode = `CODE-${String(this.n).padStart(4, '0')}`;
        return { deviceCode, userCode, verificationUri: 'https://device.example/', verificationUriComplete: `https://device.example/?user_code=${userCode}`, expiresIn: 600, interval: this.interval };
      },
      createToken: async (input: CreateTokenInput) => {
        const client = this.checkClient(input.clientId, input.clientSecret);
        if (input.grantType === DEVICE_CODE_GRANT) {
          this.calls.deviceToken++;
          const device = this.devices.get(input.deviceCode);
          if (!device) throw new AwsLikeError('InvalidGrantException', 400);
          if (this.slowDowns > 0) {
            this.slowDowns--;
            throw new AwsLikeError('SlowDownException', 400);
          }
          device.polls++;
          if (device.person === 'deny') throw new AwsLikeError('AccessDeniedException', 400);
          if (device.person === 'never' || device.polls < device.person.approveAfterPolls) throw new AwsLikeError('AuthorizationPendingException', 400);
          this.devices.delete(input.deviceCode);
          return this.issue(input.clientId, client.scopes.length > 0);
        }
        if (input.grantType === 'refresh_token') {
          this.calls.refresh++;
          const old = [...this.tokens.values()].find((t) => t.refreshToken === input.refreshToken && t.clientId === input.clientId && !t.revoked);
          if (!old) throw new AwsLikeError('InvalidGrantException', 400, 'Invalid grant provided');
          delete old.refreshToken;
          return this.issue(input.clientId, true);
        }
        this.calls.code++;
        const challenge = this.challenges.get(input.code);
        if (!challenge || createHash('sha256').update(input.codeVerifier).digest('base64url') !== challenge) throw new AwsLikeError('InvalidGrantException', 400);
        this.challenges.delete(input.code);
        return this.issue(input.clientId, true);
      },
    };
  }

  async portal(): Promise<SsoPortalApi> {
    return {
      getRoleCredentials: async (input) => {
        this.calls.roleCredentials++;
        this.roleRequests.push(input);
        const token = this.tokens.get(input.accessToken);
        if (this.portal401s > 0 || !token || token.revoked || token.expiresAt <= this.now) {
          if (this.portal401s > 0) this.portal401s--;
          throw new AwsLikeError('UnauthorizedException', 401, 'Session token not found or invalid');
        }
        return { accessKeyId: this.next('ASIAROLE'), secretAccessKey: 'secret', sessionToken: 'session', expiration: new Date(this.now + 3600_000) };
      },
    };
  }

  private checkClient(clientId: string, secret: string) {
    const client = this.clients.get(clientId);
    if (!client || client.secret !== secret) throw new AwsLikeError('InvalidClientException', 401);
    return client;
  }
}

/** A LoginIo over the fake's clock: sleeping moves the clock, output is captured, the browser is scripted. */
export function fakeIo(idc: FakeIdentityCenter, options: { tty?: boolean; browser?: (url: string) => Promise<OpenResult> } = {}): LoginIo & { output: () => string; sleeps: number[]; opened: string[] } {
  let text = '';
  const sleeps: number[] = [];
  const opened: string[] = [];
  return {
    stderr: { write: (chunk: string) => (text += chunk), isTTY: options.tty ?? false },
    openBrowser: async (url) => {
      opened.push(url);
      return options.browser ? options.browser(url) : { ok: true };
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      idc.now += ms;
    },
    now: () => idc.now,
    output: () => text,
    sleeps,
    opened,
  };
}

/** Plays the browser of the PKCE flow: the authorization server redirects to the loopback URI with a code. */
export function browserThatSignsIn(idc: FakeIdentityCenter, tweak: (params: URLSearchParams) => void = () => {}): (url: string) => Promise<OpenResult> {
  return async (url) => {
    const query = new URL(url).searchParams;
    const code = idc.next('code');
    idc.challenges.set(code, query.get('code_challenge') ?? '');
    const back = new URL(query.get('redirect_uri') ?? '');
    back.searchParams.set('code', code);
    back.searchParams.set('state', query.get('state') ?? '');
    tweak(back.searchParams);
    // Like a browser, it comes back a moment later, not before the opener returns.
    setTimeout(() => void fetch(back).then((r) => r.text()), 5);
    return { ok: true };
  };
}
