import {
  clientConfigFor, homeDirectory, OidcTokenStore, VaultError, withFileLock, type Backend, type DebugLogger, type ProfileConfig,
} from '@awsvault/core';
import { chooseFlow } from '../chooseFlow.js';
import { loadSsoApi } from '../loadSsoApi.js';
import { processLoginIo, type LoginIo } from '../loginIo.js';
import type { SsoApiFactory, SsoOidcApi } from '../ssoApi.js';
import type { SsoCallSite } from '../ssoErrors.js';
import { assertCanSignIn } from '../signInGate.js';
import { ssoLogin } from '../ssoLogin.js';
import { defaultOidcEndpoint, ssoLockDir } from '../ssoProvider.js';
import { parseScopes } from '../ssoSettings.js';
import { SsoTokenSource } from '../ssoTokenSource.js';
import { awsCliTokenSharing, sharesWithAwsCli } from '../tokenSharing.js';

export interface PortalTokenContext {
  backend: Backend;
  env: Readonly<Record<string, string | undefined>>;
  debug: DebugLogger;
  /** Print the sign-in URL instead of opening a browser. */
  stdout?: boolean;
  api?: SsoApiFactory;
  io?: LoginIo;
  home?: string;
}

/** The start URL, region and site of an SSO instance, checked; what populate lists with. */
export interface PortalSite {
  site: SsoCallSite;
  startUrl: string;
  region: string;
}

export function portalSite(profile: ProfileConfig, label: string): PortalSite {
  if (!profile.ssoStartUrl) throw new VaultError('SSO_CONFIG_INVALID', `${label} has no sso_start_url`, { hint: `add sso_start_url = https://<your portal>.awsapps.com/start to ${label}` });
  if (!profile.ssoRegion) throw new VaultError('SSO_CONFIG_INVALID', `${label} has no sso_region`, { hint: `add sso_region = <the region of your IAM Identity Center> to ${label}` });
  return { site: { profileName: label, startUrl: profile.ssoStartUrl }, startUrl: profile.ssoStartUrl, region: profile.ssoRegion };
}

/**
 * The access token of an SSO instance, exactly as `vault exec` gets it for an SSO profile: the stored
 * token while good, else a shared or refreshed one, else a sign-in (browser or device code), under
 * the same cross-process lock; the token is stored in the backend.
 */
export function portalTokenSource(profile: ProfileConfig, site: PortalSite, ctx: PortalTokenContext): SsoTokenSource {
  const api = ctx.api ?? loadSsoApi;
  const home = ctx.home ?? homeDirectory(ctx.env);
  const io = ctx.io ?? processLoginIo(ctx.env);
  const oidcConfig = clientConfigFor('sso-oidc', profile, ctx.env);
  let oidcApi: Promise<SsoOidcApi> | undefined;
  const oidc = () => (oidcApi ??= api.oidc(oidcConfig));
  const sharing = sharesWithAwsCli(profile, ctx.env, home)
    ? awsCliTokenSharing({
        home, cacheKey: profile.ssoSession ?? site.startUrl, startUrl: site.startUrl, region: site.region, debug: ctx.debug,
        warn: (line) => io.stderr.write(`${line}\n`),
      })
    : undefined;
  return new SsoTokenSource({
    site: site.site,
    store: new OidcTokenStore(ctx.backend, { debug: ctx.debug }),
    oidc,
    sharing,
    now: io.now,
    debug: ctx.debug,
    lock: (fn) => withFileLock(ssoLockDir(ctx.env, home, site.startUrl), `sso-token ${site.startUrl}`, fn, ctx.debug),
    login: async (knownClient) => {
      const choice = chooseFlow(ctx.env, ctx.stdout ? { stdout: true } : {});
      // Same rule as every SSO sign-in: fail fast in one line when nobody can answer it.
      await assertCanSignIn({ profileName: site.site.profileName, env: ctx.env, printOnly: ctx.stdout === true, debug: ctx.debug });
      return ssoLogin({
        site: site.site, region: site.region, scopes: parseScopes(profile.ssoRegistrationScopes), oidc,
        authorizeEndpoint: `${(oidcConfig.endpoint ?? defaultOidcEndpoint(oidcConfig.region)).replace(/\/+$/, '')}/authorize`,
        choice, printOnly: ctx.stdout === true, knownClient, io, debug: ctx.debug,
      });
    },
  });
}
