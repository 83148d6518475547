import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  defaultLockDir, formatGoDuration, formatKeyForDisplay, homeDirectory, OidcTokenStore, VaultError, withFileLock,
  type ClientConfig, type CredentialProvider, type Credentials, type ProfileConfig, type SourceContext,
} from '@awsvault/core';
import { chooseFlow } from './chooseFlow.js';
import { loadSsoApi } from './loadSsoApi.js';
import { processLoginIo, type LoginIo } from './loginIo.js';
import type { RoleCredentials, SsoApiFactory, SsoOidcApi, SsoPortalApi } from './ssoApi.js';
import { isUnauthorized, ssoCallError, type SsoCallSite } from './ssoErrors.js';
import { ssoLogin } from './ssoLogin.js';
import { ssoSettings } from './ssoSettings.js';
import { assertCanSignIn } from './signInGate.js';
import { SsoTokenSource } from './ssoTokenSource.js';
import { awsCliTokenSharing, sharesWithAwsCli } from './tokenSharing.js';

/** What the provider uses besides the context; tests replace them. */
export interface SsoProviderDeps {
  api?: SsoApiFactory;
  io?: LoginIo;
  /** Cross-process lock; default: core's file lock in `defaultLockDir`. */
  lock?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  home?: string;
  platform?: NodeJS.Platform;
  /** Whether a terminal can be opened (default: core's `hasTerminal`). */
  hasTerminal?: () => boolean;
}

/** IAM Identity Center's OIDC endpoint for a region, when none is configured. */
export function defaultOidcEndpoint(region: string): string {
  return `https://oidc.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/**
 * Where the sign-in lock of a start URL lives: its own directory under core's lock directory.
 * proper-lockfile tracks held locks by the directory it is given, so a lock taken inside core's
 * session lock (which uses the lock directory itself) must not use the same directory.
 */
export function ssoLockDir(env: Readonly<Record<string, string | undefined>>, home: string, startUrl: string): string {
  return join(defaultLockDir(env, home), 'sso', createHash('sha256').update(startUrl).digest('hex').slice(0, 16));
}

function authorizeEndpoint(config: ClientConfig): string {
  return `${(config.endpoint ?? defaultOidcEndpoint(config.region)).replace(/\/+$/, '')}/authorize`;
}

/**
 * Credentials for an IAM Identity Center profile: an access token (stored, refreshed, or from a new
 * sign-in), then sso:GetRoleCredentials for `sso_account_id` / `sso_role_name`. When the portal
 * rejects a stored token (401), the token is deleted and the person signs in once more; a second
 * rejection is an error, never a loop. Core caches the role credentials; this provider never does.
 */
export function ssoProvider(profile: ProfileConfig, ctx: SourceContext, deps: SsoProviderDeps = {}): CredentialProvider {
  const settings = ssoSettings(profile);
  const api = deps.api ?? loadSsoApi;
  const home = deps.home ?? homeDirectory(ctx.env);
  const debug = ctx.debug;
  const site: SsoCallSite = { profileName: profile.name, startUrl: settings.startUrl };

  return async (): Promise<Credentials> => {
    const io = deps.io ?? processLoginIo(ctx.env);
    const oidcConfig = ctx.clientConfig('sso-oidc', profile);
    let oidcApi: Promise<SsoOidcApi> | undefined;
    const oidc = () => (oidcApi ??= api.oidc(oidcConfig));
    const lock = deps.lock ?? (<T>(name: string, fn: () => Promise<T>) => withFileLock(ssoLockDir(ctx.env, home, settings.startUrl), name, fn, debug));
    const sharing = sharesWithAwsCli(profile, ctx.env, home)
      ? awsCliTokenSharing({
          home, cacheKey: settings.sessionName ?? settings.startUrl, startUrl: settings.startUrl, region: settings.region, debug,
          warn: (line) => io.stderr.write(`${line}\n`),
        })
      : undefined;
    const tokens = new SsoTokenSource({
      site,
      store: new OidcTokenStore(ctx.backend, { debug }),
      oidc,
      sharing,
      now: io.now,
      debug,
      lock: (fn) => lock(`sso-token ${settings.startUrl}`, fn),
      login: async (knownClient) => {
        const choice = chooseFlow(ctx.env, { ...(ctx.stdout ? { stdout: true } : {}), ...(deps.platform ? { platform: deps.platform } : {}) });
        await assertCanSignIn({
          profileName: profile.name, env: ctx.env, printOnly: ctx.stdout === true, debug,
          ...(deps.platform ? { platform: deps.platform } : {}), ...(deps.hasTerminal ? { hasTerminal: deps.hasTerminal } : {}),
        });
        return ssoLogin({
          site, region: settings.region, scopes: settings.scopes, oidc, authorizeEndpoint: authorizeEndpoint(oidcConfig),
          choice, printOnly: ctx.stdout === true, knownClient, io, debug,
        });
      },
    });

    let portal: SsoPortalApi | undefined;
    const roleCredentials = async (accessToken: string): Promise<RoleCredentials> => {
      portal ??= await api.portal(ctx.clientConfig('sso', profile));
      return portal.getRoleCredentials({ accessToken, accountId: settings.accountId, roleName: settings.roleName });
    };

    let { token, loggedIn } = await tokens.current();
    let credentials: RoleCredentials;
    try {
      credentials = await roleCredentials(token.accessToken);
    } catch (error) {
      if (!isUnauthorized(error)) throw portalError(site, settings, error, [token.accessToken]);
      if (loggedIn) throw unauthorized(site, 'a token from a sign-in just made', error, [token.accessToken]);
      debug(`profile ${profile.name}: the SSO portal rejected the token for ${settings.startUrl} (401); signing in again once`);
      const rejected = token.accessToken;
      ({ token } = await tokens.current({ rejected }));
      try {
        credentials = await roleCredentials(token.accessToken);
      } catch (retryError) {
        if (isUnauthorized(retryError)) throw unauthorized(site, 'the token of a new sign-in too', retryError, [rejected, token.accessToken]);
        throw portalError(site, settings, retryError, [rejected, token.accessToken]);
      }
    }
    debug(`profile ${profile.name}: got credentials ${formatKeyForDisplay(credentials.accessKeyId)} for SSO role ${settings.roleName} (account: ${settings.accountId}), expires in ${formatGoDuration(credentials.expiration.getTime() - Date.now())}`);
    return credentials;
  };
}

function portalError(site: SsoCallSite, settings: { accountId: string; roleName: string }, error: unknown, secrets: string[]): VaultError {
  return ssoCallError(site, `sso:GetRoleCredentials (role ${settings.roleName}, account ${settings.accountId})`, error, { secrets });
}

function unauthorized(site: SsoCallSite, what: string, error: unknown, secrets: string[]): VaultError {
  return ssoCallError(site, 'sso:GetRoleCredentials', error, {
    code: 'SSO_UNAUTHORIZED',
    secrets,
    hint: `the access portal rejected ${what}; check that your IAM Identity Center session is not being revoked, then run \`vault clear ${site.profileName}\` and try again`,
  });
}
