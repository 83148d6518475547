import { defineSource } from '@awsvault/core';

/**
 * The `vault:source` hook: profiles with `role_arn` and `web_identity_token_file` or
 * `web_identity_token_process` (tried after sso, before process, and only for profiles without stored
 * keys or `source_profile`). Sessions are cached as aws-vault's `sts.AssumeRoleWithWebIdentity`
 * type. The provider (and the AWS SDK, on a cache miss) loads on first use.
 */
export default defineSource({
  name: 'web-identity',
  sessionType: 'sts.AssumeRoleWithWebIdentity',
  matches: (profile) =>
    profile.roleArn !== undefined && (profile.webIdentityTokenFile !== undefined || profile.webIdentityTokenProcess !== undefined),
  create: async (profile, ctx) => (await import('../webIdentityProvider.js')).webIdentityProvider(profile, ctx),
});
