import { rmSync } from 'node:fs';
import { configFilePaths, loadAwsConfig, type DebugLogger, type OidcToken, type ProfileConfig } from '@awsvault/core';
import { awsCliSsoCachePath, cacheEntryFor, readAwsCliSsoCache, tokenFromCacheEntry, writeAwsCliSsoCache } from './awsCliSsoCache.js';

/** `AWS_VAULT_SSO_CACHE=1` shares the SSO token with the AWS CLI's cache; `0` turns sharing off whatever the config says. */
export const SHARE_ENV = 'AWS_VAULT_SSO_CACHE';
/** `vault_sso_cache = true` in a profile or its `[sso-session]` does the same for that profile. */
export const SHARE_KEY = 'vault_sso_cache';

type Env = Readonly<Record<string, string | undefined>>;
const truthy = (value: string) => /^(1|true|yes|on)$/i.test(value.trim());

/**
 * Whether a profile's SSO token is shared with `~/.aws/sso/cache`: `AWS_VAULT_SSO_CACHE` when set,
 * else `vault_sso_cache` where the profile got it (its section, `include_profile` or `[default]`),
 * else in its `[sso-session]`. Off by default: the cache is plain JSON on disk.
 */
export function sharesWithAwsCli(profile: ProfileConfig, env: Env, home: string): boolean {
  const fromEnv = env[SHARE_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return truthy(fromEnv);
  const origin = profile.origins[SHARE_KEY];
  if (origin === undefined && !profile.ssoSession) return false;
  let config;
  try {
    config = loadAwsConfig(configFilePaths(env, home));
  } catch {
    return false;
  }
  if (origin !== undefined) {
    for (const section of config.profiles.values()) {
      const entry = section.entries.get(SHARE_KEY);
      if (entry && `${section.file}:${entry.line}` === origin) return truthy(entry.value);
    }
  }
  const fromSession = profile.ssoSession ? config.ssoSessions.get(profile.ssoSession)?.entries.get(SHARE_KEY) : undefined;
  return fromSession ? truthy(fromSession.value) : false;
}

/** The token file shared with the AWS tools for one start URL. */
export interface TokenSharing {
  readonly path: string;
  /** The token in the file, when it is for this start URL. */
  read(): OidcToken | undefined;
  /** Writes the token unless the file already holds it or a newer one; failures are reported, never fatal. */
  write(token: OidcToken): void;
  /** Deletes the file when it holds this (rejected) access token. */
  forget(accessToken: string): void;
}

export function awsCliTokenSharing(options: { home: string; cacheKey: string; startUrl: string; region: string; debug: DebugLogger; warn: (line: string) => void }): TokenSharing {
  const path = awsCliSsoCachePath(options.home, options.cacheKey);
  const current = () => {
    const entry = readAwsCliSsoCache(path);
    return entry && (entry.startUrl === '' || entry.startUrl === options.startUrl) ? entry : undefined;
  };
  return {
    path,
    read() {
      const entry = current();
      return entry ? tokenFromCacheEntry(entry) : undefined;
    },
    write(token) {
      const entry = current();
      if (entry && entry.accessToken === token.accessToken && entry.refreshToken === token.refreshToken) return;
      // Never replace a newer token (one the AWS CLI or an SDK refreshed) with an older one.
      if (entry && entry.expiresAt > token.expiresAt) return;
      try {
        writeAwsCliSsoCache(path, cacheEntryFor(token, options.startUrl, options.region));
        options.debug(`wrote the SSO token to the AWS CLI cache ${path}`);
      } catch (error) {
        options.warn(`vault: warning: could not write the AWS CLI SSO cache ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    },
    forget(accessToken) {
      if (current()?.accessToken !== accessToken) return;
      rmSync(path, { force: true });
      options.debug(`removed the rejected SSO token from ${path}`);
    },
  };
}
