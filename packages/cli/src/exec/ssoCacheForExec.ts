import { homeDirectory, OidcTokenStore, VaultError, type Backend, type DebugLogger, type OidcToken, type ProfileConfig } from '@awsvault/core';
import { awsCliSsoCachePath, cacheEntryFor, EXPIRY_SKEW_MS, ssoSettings } from '@awsvault/plugin-source-sso';
import { scopeSsoCache, type ScopedSsoCache } from './scopeSsoCache.js';

/** The profile in the chain whose credentials come from IAM Identity Center. */
function ssoProfileOf(profile: ProfileConfig): ProfileConfig | undefined {
  for (let p: ProfileConfig | undefined = profile; p; p = p.sourceProfile) if (p.ssoStartUrl || p.ssoSession) return p;
  return undefined;
}

/**
 * For `vault exec --sso-cache`: installs the profile's SSO token as the AWS CLI cache entry of its
 * `[sso-session]` (or start URL) for the command's lifetime. The token is the one vault stores;
 * when the role credentials came from vault's cache and that token has expired meanwhile,
 * `refresh` runs the SSO source once more (refresh grant, or a sign-in).
 */
export async function ssoCacheForExec(options: {
  profile: ProfileConfig;
  backend: Backend;
  env: Readonly<Record<string, string | undefined>>;
  refresh: () => Promise<unknown>;
  debug: DebugLogger;
}): Promise<ScopedSsoCache> {
  const sso = ssoProfileOf(options.profile);
  if (!sso) {
    throw new VaultError('FLAGS_CONFLICT', `--sso-cache needs an SSO profile; profile ${options.profile.name} does not use IAM Identity Center`, {
      hint: 'drop --sso-cache, or use a profile with sso_session or sso_start_url',
    });
  }
  const settings = ssoSettings(sso);
  const store = new OidcTokenStore(options.backend, { debug: options.debug });
  const usable = (token: OidcToken | undefined) => token !== undefined && token.expiresAt.getTime() - Date.now() > EXPIRY_SKEW_MS;
  let token = await store.get(settings.startUrl);
  if (!usable(token)) {
    options.debug(`profile ${sso.name}: no usable SSO token stored for ${settings.startUrl}; asking the SSO source for one`);
    await options.refresh();
    token = await store.get(settings.startUrl);
  }
  if (!token || !usable(token)) {
    throw new VaultError('SSO_TOKEN_MISSING', `profile ${sso.name}: no SSO token for ${settings.startUrl} to put in the AWS CLI cache`, { hint: `run \`vault clear ${sso.name}\` and try again` });
  }
  const path = awsCliSsoCachePath(homeDirectory(options.env), settings.sessionName ?? settings.startUrl);
  return scopeSsoCache(path, cacheEntryFor(token, settings.startUrl, settings.region), options.debug);
}
