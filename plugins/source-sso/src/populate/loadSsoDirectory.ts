import { sdkHttpOptions, VaultError, withoutSdkNodeWarning, type ClientConfig } from '@awsvault/core';
import type { SsoDirectoryApi } from './ssoDirectoryApi.js';

/**
 * The listing calls through `@aws-sdk/client-sso`, loaded only when `vault sso populate` runs.
 * The SDK's own retries are off (one attempt): throttling is handled by vault's limiter and
 * backoff, which see every 429 and can resume.
 */
export async function loadSsoDirectory(config: ClientConfig): Promise<SsoDirectoryApi> {
  const sdk = await import('@aws-sdk/client-sso');
  const client = withoutSdkNodeWarning(
    () =>
      new sdk.SSOClient({
        region: config.region,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ignoreConfiguredEndpointUrls: true,
        maxAttempts: 1,
        ...sdkHttpOptions(),
      }),
  );
  return {
    async listAccounts(input) {
      const out = await client.send(new sdk.ListAccountsCommand(input));
      const accounts = (out.accountList ?? []).map((a) => {
        if (!a.accountId) throw new VaultError('SSO_BAD_RESPONSE', 'sso:ListAccounts answered an account without an id');
        return { accountId: a.accountId, accountName: a.accountName ?? a.accountId };
      });
      return { accounts, ...(out.nextToken ? { nextToken: out.nextToken } : {}) };
    },
    async listAccountRoles(input) {
      const out = await client.send(new sdk.ListAccountRolesCommand(input));
      const roleNames = (out.roleList ?? []).map((r) => r.roleName).filter((n): n is string => typeof n === 'string' && n !== '');
      return { roleNames, ...(out.nextToken ? { nextToken: out.nextToken } : {}) };
    },
  };
}
