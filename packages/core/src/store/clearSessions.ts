import type { Backend } from '../backend.js';
import type { AwsConfig } from '../config/loadAwsConfig.js';
import type { IniEntry } from '../config/parseIni.js';
import { resolveProfile } from '../config/resolveProfile.js';
import { isItemNotFound } from '../errors.js';
import { isLegacySessionKey, isOidcTokenKey, parseSessionKey } from './sessionKey.js';

/** How many items `clear` removed, by kind. @public */
export interface ClearedCounts {
  /** Legacy-format session items. */
  legacy: number;
  /** Current-format cached sessions, expired or not. */
  sessions: number;
  /** SSO access tokens (`oidc:<start url>`). */
  oidcTokens: number;
  total: number;
}

/**
 * `vault clear` without a profile: every legacy-format session item, every cached session and every
 * SSO access token. Long-term keys are never touched. @public
 */
export async function clearAllSessions(backend: Backend): Promise<ClearedCounts> {
  const keys = await backend.keys();
  const counts: ClearedCounts = { legacy: 0, sessions: 0, oidcTokens: 0, total: 0 };
  // aws-vault's order: legacy items first, then sessions, then SSO tokens.
  for (const key of keys) if (isLegacySessionKey(key) && (await removeQuietly(backend, key))) counts.legacy++;
  for (const key of keys) if (parseSessionKey(key) && !isLegacySessionKey(key) && (await removeQuietly(backend, key))) counts.sessions++;
  for (const key of keys) if (isOidcTokenKey(key) && (await removeQuietly(backend, key))) counts.oidcTokens++;
  counts.total = counts.legacy + counts.sessions + counts.oidcTokens;
  return counts;
}

/**
 * `vault clear <profile>`: the cached sessions made for that profile name, and the SSO access token
 * of its start URL when one is given (see {@link ssoStartUrlForProfile}). @public
 */
export async function clearProfileSessions(backend: Backend, profileName: string, ssoStartUrl?: string): Promise<ClearedCounts> {
  const counts: ClearedCounts = { legacy: 0, sessions: 0, oidcTokens: 0, total: 0 };
  const keys = await backend.keys();
  for (const key of keys) {
    const parsed = parseSessionKey(key);
    if (parsed && !isLegacySessionKey(key) && parsed.profileName === profileName && (await removeQuietly(backend, key))) counts.sessions++;
  }
  if (ssoStartUrl) {
    const tokenKey = `oidc:${ssoStartUrl}`;
    if (keys.includes(tokenKey) && (await removeQuietly(backend, tokenKey))) counts.oidcTokens++;
  }
  counts.total = counts.sessions + counts.oidcTokens;
  return counts;
}

/**
 * The start URL whose SSO token a profile uses, as ByteNess resolves it for `clear`: the
 * `[sso-session]`'s `sso_start_url` when the profile names one, else its inline `sso_start_url`
 * (with `include_profile` and `[default]` filling blanks, as everywhere). A config that does not
 * resolve (a broken value elsewhere in the profile) falls back to the profile's own section, so
 * `clear` still works while the config is being fixed. @public
 */
export function ssoStartUrlForProfile(config: AwsConfig, profileName: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (!mentionsSso(config, profileName)) return undefined;
  try {
    return resolveProfile(config, profileName, { env }).ssoStartUrl;
  } catch {
    const section = config.profiles.get(profileName);
    const sessionName = section?.entries.get('sso_session')?.value;
    const fromSession = sessionName ? config.ssoSessions.get(sessionName)?.entries.get('sso_start_url')?.value : undefined;
    return fromSession || section?.entries.get('sso_start_url')?.value || undefined;
  }
}

/**
 * Whether the profile, its include_profile chain or [default] sets sso_session or sso_start_url
 * (no environment variable does): without one, resolving the whole profile cannot give a start URL.
 * `list` asks this of every profile, and resolving thousands of them was most of its time.
 */
function mentionsSso(config: AwsConfig, profileName: string): boolean {
  const seen = new Set<string>();
  for (let name: string | undefined = profileName; name !== undefined && !seen.has(name); ) {
    seen.add(name);
    const entries: Map<string, IniEntry> | undefined = config.profiles.get(name)?.entries;
    if (entries?.has('sso_session') || entries?.has('sso_start_url')) return true;
    const include: string | undefined = entries?.get('include_profile')?.value;
    name = include ? include : name === 'default' ? undefined : 'default';
  }
  return false;
}

async function removeQuietly(backend: Backend, key: string): Promise<boolean> {
  try {
    await backend.remove(key);
    return true;
  } catch (error) {
    if (isItemNotFound(error)) return false;
    throw error;
  }
}
