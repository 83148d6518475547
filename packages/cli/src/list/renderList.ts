import { formatGoDuration, isCredentialsKey, isOidcTokenKey, parseSessionKey, ssoStartUrlForProfile, type AwsConfig } from '@awsvault/core';
import { formatTable } from './formatTable.js';
import { oidcLabel } from './oidcLabel.js';

/** What `vault list` shows, from one listing of the store's keys. */
export interface ListView {
  credentials: string[];
  sessions: Array<{ profile: string; type: string; expiresAt: Date; label: string }>;
  ssoTokens: Array<{ key: string; startUrl: string; label: string }>;
}

/** Sorts one listing of the store's keys into stored keys, cached sessions and SSO tokens. */
export function listView(config: AwsConfig, keys: readonly string[], now: number): ListView {
  const sessions: ListView['sessions'] = [];
  for (const itemKey of keys) {
    const key = parseSessionKey(itemKey);
    if (key) sessions.push({ profile: key.profileName, type: key.type, expiresAt: new Date(key.expiry * 1000), label: `${key.type}:${formatGoDuration(key.expiry * 1000 - now)}` });
  }
  return {
    credentials: keys.filter(isCredentialsKey),
    sessions,
    ssoTokens: keys.filter(isOidcTokenKey).map((key) => {
      const startUrl = key.slice('oidc:'.length);
      return { key, startUrl, label: oidcLabel(config, startUrl) };
    }),
  };
}

/** `vault list --json`. */
export function listJson(config: AwsConfig, view: ListView): unknown {
  const sessionJson = (s: ListView['sessions'][number]) => ({ type: s.type, expiration: s.expiresAt.toISOString() });
  return {
    profiles: config.profileNames.map((name) => ({
      name,
      credentials: view.credentials.includes(name),
      sessions: view.sessions.filter((s) => s.profile === name).map(sessionJson),
    })),
    credentials: view.credentials,
    sessions: view.sessions.map((s) => ({ profile: s.profile, ...sessionJson(s) })),
    ssoTokens: view.ssoTokens.map((t) => t.startUrl),
  };
}

/**
 * The text `vault list` prints: aws-vault's table (profiles with their stored keys and sessions,
 * then keys and sessions of no configured profile), or one column with --credentials / --sessions.
 */
export function renderList(config: AwsConfig, view: ListView, env: Readonly<Record<string, string | undefined>>, only?: 'credentials' | 'sessions'): string {
  if (only === 'credentials') return view.credentials.map((name) => `${name}\n`).join('');
  if (only === 'sessions') return [...view.ssoTokens.map((t) => t.label), ...view.sessions.map((s) => s.label)].map((l) => `${l}\n`).join('');
  // Indexes instead of scans: with thousands of profiles and sessions the nested filters dominated.
  const stored = new Set(view.credentials);
  const byProfile = new Map<string, ListView['sessions']>();
  for (const s of view.sessions) {
    const own = byProfile.get(s.profile);
    if (own) own.push(s);
    else byProfile.set(s.profile, [s]);
  }
  const tokenByUrl = new Map(view.ssoTokens.map((t) => [t.startUrl, t] as const));
  const rows: string[][] = [['Profile', 'Credentials', 'Sessions'], ['=======', '===========', '========']];
  const shownSessions = new Set<ListView['sessions'][number]>();
  const shownTokens = new Set<string>();
  const profiles = new Set(config.profileNames);
  for (const name of config.profileNames) {
    // Resolving 2,500 profiles costs more than the rest of list: only when there are tokens to place.
    const startUrl = tokenByUrl.size > 0 ? ssoStartUrlForProfile(config, name, env) : undefined;
    const token = startUrl === undefined ? undefined : tokenByUrl.get(startUrl);
    const own = byProfile.get(name) ?? [];
    own.forEach((s) => shownSessions.add(s));
    if (token) shownTokens.add(token.key);
    const labels = [...(token ? [token.label] : []), ...own.map((s) => s.label)];
    rows.push([name, stored.has(name) ? name : '-', labels.length > 0 ? labels.join(', ') : '-']);
  }
  for (const name of view.credentials) if (!profiles.has(name)) rows.push(['-', name, '-']);
  for (const token of view.ssoTokens) if (!shownTokens.has(token.key)) rows.push(['-', '-', token.label]);
  for (const s of view.sessions) if (!shownSessions.has(s)) rows.push(['-', '-', s.label]);
  return formatTable(rows);
}
