import { VaultError, type ProfileConfig } from '@awsvault/core';

/** The scope that lets a token list and use account roles; with it, IAM Identity Center issues refresh tokens. */
export const DEFAULT_SCOPES: readonly string[] = ['sso:account:access'];

/** What the SSO source needs from a profile, checked. */
export interface SsoSettings {
  startUrl: string;
  region: string;
  accountId: string;
  roleName: string;
  /** `sso_registration_scopes`, or {@link DEFAULT_SCOPES}. */
  scopes: string[];
  /** The `[sso-session]` name, when the profile uses one (it names the AWS CLI cache file). */
  sessionName?: string;
}

/** `sso_registration_scopes` as the AWS CLI reads it: comma-separated, trimmed, without repeats. */
export function parseScopes(text: string | undefined): string[] {
  const scopes = [...new Set((text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  return scopes.length > 0 ? scopes : [...DEFAULT_SCOPES];
}

/** Checks that a profile names everything an SSO login and GetRoleCredentials need; one line per problem. */
export function ssoSettings(profile: ProfileConfig): SsoSettings {
  const where = (key: string) => {
    const origin = profile.origins[key];
    return origin ? ` (${origin})` : '';
  };
  const fail = (message: string, hint: string) => new VaultError('SSO_CONFIG_INVALID', `profile ${profile.name}: ${message}`, { hint });
  const section = profile.ssoSession ? `[sso-session ${profile.ssoSession}]` : `[profile ${profile.name}]`;
  if (!profile.ssoStartUrl) throw fail(`${section} has no sso_start_url`, `add sso_start_url = https://<your portal>.awsapps.com/start to ${section}`);
  if (!profile.ssoRegion) throw fail(`sso_region is not set for sso_start_url ${profile.ssoStartUrl}`, `add sso_region = <the region of your IAM Identity Center> to ${section}`);
  const missing = (['sso_account_id', 'sso_role_name'] as const).filter((key) => !(key === 'sso_account_id' ? profile.ssoAccountId : profile.ssoRoleName));
  if (missing.length > 0) throw fail(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`, `add ${missing.join(' and ')} to [profile ${profile.name}]`);
  const accountId = profile.ssoAccountId as string;
  if (!/^\d{12}$/.test(accountId)) throw fail(`sso_account_id = ${accountId}${where('sso_account_id')} is not a 12-digit account id`, 'use the account id as the access portal shows it');
  const settings: SsoSettings = {
    startUrl: profile.ssoStartUrl,
    region: profile.ssoRegion,
    accountId,
    roleName: profile.ssoRoleName as string,
    scopes: parseScopes(profile.ssoRegistrationScopes),
  };
  if (profile.ssoSession) settings.sessionName = profile.ssoSession;
  return settings;
}
