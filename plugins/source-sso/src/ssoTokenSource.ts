import { awsErrorCode, formatGoDuration, type DebugLogger, type OidcClientRegistration, type OidcToken, type OidcTokenStore } from '@awsvault/core';
import { canRefreshWith } from './oidcClient.js';
import type { SsoOidcApi } from './ssoApi.js';
import { ssoCallError, type SsoCallSite } from './ssoErrors.js';
import { toOidcToken } from './ssoLogin.js';
import type { TokenSharing } from './tokenSharing.js';

/** A refreshable token is renewed when less than this is left (the AWS CLI's window). */
export const REFRESH_WINDOW_MS = 15 * 60 * 1000;
/** A token with less than this left is not used at all: clocks differ, and the portal call takes time. */
export const EXPIRY_SKEW_MS = 60 * 1000;
/** A token younger than this is not renewed ahead of time (short-lived tokens would otherwise be renewed on every run). */
const MIN_AGE_FOR_EARLY_REFRESH_MS = 60 * 1000;

/** The OAuth errors after which a refresh token is worth nothing and only a new sign-in helps. */
const DEAD_GRANT = new Set(['InvalidGrantException', 'InvalidClientException', 'UnauthorizedClientException', 'ExpiredTokenException', 'AccessDeniedException', 'InvalidRequestException']);

export interface SsoTokenSourceOptions {
  site: SsoCallSite;
  store: OidcTokenStore;
  oidc: () => Promise<SsoOidcApi>;
  /** Interactive sign-in; gets the client of the last token, which it may reuse. */
  login(knownClient: OidcClientRegistration | undefined): Promise<OidcToken>;
  /** Cross-process lock around everything that replaces the token. */
  lock<T>(fn: () => Promise<T>): Promise<T>;
  sharing?: TokenSharing | undefined;
  now: () => number;
  debug: DebugLogger;
}

/** A token to call the portal with; `loggedIn` when it comes from a sign-in made by this call. */
export interface CurrentToken {
  token: OidcToken;
  loggedIn: boolean;
}

/**
 * Finds the SSO access token for one start URL: the stored one while it is good; else, under a
 * cross-process lock (so parallel processes sign in once), one another process stored meanwhile,
 * a fresher one from the AWS CLI cache when sharing is on, a refreshed one (refresh-token grant),
 * and only then a new sign-in.
 */
export class SsoTokenSource {
  private knownClient: OidcClientRegistration | undefined;

  constructor(private readonly options: SsoTokenSourceOptions) {}

  /**
   * The token to use. With `rejected` (an access token the portal answered 401 to), that token is
   * deleted and never returned again.
   */
  async current(options: { rejected?: string } = {}): Promise<CurrentToken> {
    if (options.rejected === undefined) {
      const stored = await this.options.store.get(this.options.site.startUrl);
      const shared = this.options.sharing?.read();
      // The AWS CLI or an SDK may have refreshed the shared token (rotating its refresh token): take it under the lock.
      const newerShared = shared !== undefined && stored !== undefined && shared.accessToken !== stored.accessToken && shared.expiresAt > stored.expiresAt;
      if (stored && this.usable(stored) && !this.refreshDue(stored) && !newerShared) {
        this.options.debug(`using the stored SSO token for ${this.options.site.startUrl}, expires in ${this.left(stored)}`);
        this.options.sharing?.write(stored);
        return { token: stored, loggedIn: false };
      }
    }
    return this.options.lock(() => this.underLock(options.rejected));
  }

  private async underLock(rejected: string | undefined): Promise<CurrentToken> {
    const { store, site, debug, sharing } = this.options;
    let stored = await store.get(site.startUrl);
    if (rejected !== undefined) {
      this.knownClient ??= stored?.registration;
      if (stored?.accessToken === rejected) {
        await store.remove(site.startUrl, { onlyAccessToken: rejected });
        debug(`deleted the SSO token for ${site.startUrl} that the portal rejected`);
        stored = undefined;
      }
      sharing?.forget(rejected);
    }
    const shared = sharing?.read();
    if (shared && shared.accessToken !== rejected && this.usable(shared) && (!stored || shared.expiresAt > stored.expiresAt)) {
      debug(`using the newer SSO token from the AWS CLI cache ${sharing?.path}, expires in ${this.left(shared)}`);
      // Keep what vault knows of its own client (scopes, flow); a client of vault's can still serve
      // the next sign-in, but it cannot refresh another client's token.
      const ours = stored?.registration;
      if (ours && (shared.registration?.clientId === ours.clientId || (!shared.registration && !shared.refreshToken))) shared.registration = ours;
      stored = shared;
      await store.set(site.startUrl, stored);
    }
    if (stored && this.usable(stored) && !this.refreshDue(stored)) {
      debug(`using the SSO token stored for ${site.startUrl}${rejected === undefined ? ' (by another process meanwhile)' : ''}, expires in ${this.left(stored)}`);
      sharing?.write(stored);
      return { token: stored, loggedIn: false };
    }
    if (stored?.refreshToken && canRefreshWith(stored.registration, this.options.now())) {
      const refreshed = await this.refresh(stored);
      if (refreshed) return { token: refreshed, loggedIn: false };
    }
    if (stored && this.usable(stored)) {
      debug(`using the SSO token for ${site.startUrl} as it is, expires in ${this.left(stored)}`);
      return { token: stored, loggedIn: false };
    }
    if (stored) {
      debug(`the SSO token for ${site.startUrl} has expired and cannot be refreshed`);
      this.knownClient ??= stored.registration;
      await store.remove(site.startUrl, { onlyAccessToken: stored.accessToken });
    }
    const token = await this.options.login(this.knownClient);
    this.knownClient = token.registration;
    await this.save(token);
    return { token, loggedIn: true };
  }

  /** The refresh-token grant; undefined when the refresh token is dead (a sign-in is needed). */
  private async refresh(stored: OidcToken): Promise<OidcToken | undefined> {
    const { site, debug } = this.options;
    const client = stored.registration as OidcClientRegistration;
    const refreshToken = stored.refreshToken as string;
    try {
      const api = await this.options.oidc();
      const issued = await api.createToken({ grantType: 'refresh_token', refreshToken, clientId: client.clientId, clientSecret: client.clientSecret });
      const token = toOidcToken(issued, client, this.options.now());
      // A server that does not rotate refresh tokens keeps the old one valid.
      token.refreshToken ??= refreshToken;
      debug(`refreshed the SSO token for ${site.startUrl}, expires in ${this.left(token)}`);
      await this.save(token);
      return token;
    } catch (error) {
      const code = awsErrorCode(error);
      if (code !== undefined && DEAD_GRANT.has(code)) {
        debug(`the refresh token for ${site.startUrl} was refused (${code}); signing in again`);
        this.knownClient ??= client;
        if (!this.usable(stored)) await this.options.store.remove(site.startUrl, { onlyAccessToken: stored.accessToken });
        return undefined;
      }
      if (this.usable(stored)) {
        debug(`could not refresh the SSO token for ${site.startUrl} (${code ?? 'error'}); using it until it expires`);
        return stored;
      }
      throw ssoCallError(site, 'sso-oidc:CreateToken (refresh)', error, { secrets: [refreshToken, client.clientSecret, stored.accessToken] });
    }
  }

  private async save(token: OidcToken): Promise<void> {
    await this.options.store.set(this.options.site.startUrl, token);
    this.options.sharing?.write(token);
  }

  private usable(token: OidcToken): boolean {
    return token.expiresAt.getTime() - this.options.now() > EXPIRY_SKEW_MS;
  }

  /** Whether to renew a still-usable token now: refreshable, inside the window, and not just issued. */
  private refreshDue(token: OidcToken): boolean {
    const now = this.options.now();
    const left = token.expiresAt.getTime() - now;
    const age = token.expiresIn === undefined ? Infinity : now - (token.expiresAt.getTime() - token.expiresIn * 1000);
    return token.refreshToken !== undefined && canRefreshWith(token.registration, now) && left < REFRESH_WINDOW_MS && age >= MIN_AGE_FOR_EARLY_REFRESH_MS;
  }

  private left(token: OidcToken): string {
    return formatGoDuration(Math.max(0, token.expiresAt.getTime() - this.options.now()));
  }
}
