import { defineSource } from '@awsvault/core';

/**
 * The `vault:source` hook: profiles with `credential_process` (tried after sso and web-identity, and
 * only for profiles without stored keys or `source_profile`). Sessions are cached as aws-vault's
 * `credential_process` type when the command gives an Expiration. The runner loads on first use.
 */
export default defineSource({
  name: 'process',
  sessionType: 'credential_process',
  matches: (profile) => profile.credentialProcess !== undefined,
  create: async (profile, ctx) => (await import('../credentialProcessProvider.js')).credentialProcessProvider(profile, ctx),
});
