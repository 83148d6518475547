import { defineSource } from '@awsvault/core';

/**
 * The `vault:source` hook: IAM Identity Center profiles (`sso_start_url` or `sso_session`, with
 * `sso_account_id` / `sso_role_name`). A profile with only one of the two still matches, so it
 * gets an error that names the missing key rather than "no credentials". The SDK and the sign-in
 * code load only when `create` runs.
 */
export default defineSource({
  name: 'sso',
  sessionType: 'sso.GetRoleCredentials',
  sessionKeyDetail: (p) => p.ssoStartUrl ?? '',
  matches: (p) => Boolean((p.ssoStartUrl || p.ssoSession) && (p.ssoAccountId || p.ssoRoleName)),
  create: async (profile, ctx) => (await import('../ssoProvider.js')).ssoProvider(profile, ctx),
});
