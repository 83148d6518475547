import { VaultError } from '@awsvault/core';
import type { Assignment } from './discoverAssignments.js';
import { renderProfileName } from './profileTemplate.js';

/** One profile as `vault sso populate` writes it. */
export interface GeneratedProfile {
  name: string;
  accountId: string;
  roleName: string;
  /** Keys in the order they are written. */
  keys: Array<[string, string]>;
}

export interface GenerateOptions {
  template: string;
  session: string;
  region: string;
  /** `--config key=value`, in order. */
  extra?: Array<[string, string]>;
}

const OWN_KEYS = new Set(['sso_session', 'sso_account_id', 'sso_role_name', 'region', 'sso_start_url', 'sso_region']);

/** Parses one `--config key=value`; the keys that say which role a profile is are refused. */
export function parseExtraKey(text: string): [string, string] {
  const at = text.indexOf('=');
  const key = (at < 0 ? '' : text.slice(0, at)).trim().toLowerCase();
  const value = at < 0 ? '' : text.slice(at + 1).trim();
  if (!/^[a-z0-9_.-]+$/.test(key) || /[\r\n]/.test(value)) {
    throw new VaultError('FLAG_INVALID', `--config ${text} is not key=value`, { hint: 'e.g. --config output=json' });
  }
  if (OWN_KEYS.has(key)) {
    throw new VaultError('FLAG_INVALID', `--config ${key} cannot be set: vault writes it from the portal's answer`, { hint: key === 'region' ? 'use --region' : 'leave it out' });
  }
  return [key, value];
}

/**
 * One profile per assignment, named by the template and sorted by name. Two roles that the template
 * gives one name are an error that names both.
 */
export function generatedProfiles(assignments: readonly Assignment[], options: GenerateOptions): GeneratedProfile[] {
  const byName = new Map<string, GeneratedProfile>();
  for (const a of assignments) {
    const name = renderProfileName(options.template, { accountId: a.accountId, accountName: a.accountName, roleName: a.roleName, session: options.session });
    const other = byName.get(name);
    if (other) {
      if (other.accountId === a.accountId && other.roleName === a.roleName) continue;
      throw new VaultError('PROFILE_NAME_CLASH', `--profile-template ${options.template} gives role ${other.roleName} in account ${other.accountId} and role ${a.roleName} in account ${a.accountId} the same name ${name}`, {
        hint: 'add {account_id} to the template, e.g. {account_name}-{account_id}-{role_name}',
      });
    }
    byName.set(name, {
      name,
      accountId: a.accountId,
      roleName: a.roleName,
      keys: [['sso_session', options.session], ['sso_account_id', a.accountId], ['sso_role_name', a.roleName], ['region', options.region], ...(options.extra ?? [])],
    });
  }
  return [...byName.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}
