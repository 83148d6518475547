import { sdkHttpOptions, VaultError, withoutSdkNodeWarning, type ClientConfig } from '@awsvault/core';
import type { SsoApiFactory, SsoOidcApi, SsoPortalApi } from './ssoApi.js';

function clientOptions(config: ClientConfig) {
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    // vault resolves endpoints itself (AWS_ENDPOINT_URL_SSO*, endpoint_url); the SDK must not re-read them.
    ignoreConfiguredEndpointUrls: true,
    // Bounded like every AWS call of vault (AWS_VAULT_HTTP_TIMEOUT): a hanging portal must not hang `vault export`.
    ...sdkHttpOptions(),
  };
}

function missing(call: string): VaultError {
  return new VaultError('SSO_BAD_RESPONSE', `${call} answered without the fields vault needs`);
}

/**
 * The only importer of `@aws-sdk/client-sso-oidc` and `@aws-sdk/client-sso`, and only when a call
 * is really made: a cached `vault export` never loads them.
 */
export const loadSsoApi: SsoApiFactory = {
  async oidc(config): Promise<SsoOidcApi> {
    const sdk = await import('@aws-sdk/client-sso-oidc');
    const client = withoutSdkNodeWarning(() => new sdk.SSOOIDCClient(clientOptions(config)));
    return {
      async registerClient(input) {
        const out = await client.send(new sdk.RegisterClientCommand(input));
        if (!out.clientId || !out.clientSecret || !out.clientSecretExpiresAt) throw missing('sso-oidc:RegisterClient');
        return {
          clientId: out.clientId,
          clientSecret: out.clientSecret,
          clientSecretExpiresAt: out.clientSecretExpiresAt,
          ...(out.authorizationEndpoint ? { authorizationEndpoint: out.authorizationEndpoint } : {}),
        };
      },
      async startDeviceAuthorization(input) {
        const out = await client.send(new sdk.StartDeviceAuthorizationCommand(input));
        if (!out.deviceCode || !out.userCode || !out.verificationUri) throw missing('sso-oidc:StartDeviceAuthorization');
        return {
          deviceCode: out.deviceCode,
          userCode: out.userCode,
          verificationUri: out.verificationUri,
          ...(out.verificationUriComplete ? { verificationUriComplete: out.verificationUriComplete } : {}),
          expiresIn: out.expiresIn ?? 600,
          ...(out.interval ? { interval: out.interval } : {}),
        };
      },
      async createToken(input) {
        const out = await client.send(new sdk.CreateTokenCommand(input));
        if (!out.accessToken || !out.expiresIn) throw missing('sso-oidc:CreateToken');
        return {
          accessToken: out.accessToken,
          expiresIn: out.expiresIn,
          ...(out.tokenType ? { tokenType: out.tokenType } : {}),
          ...(out.refreshToken ? { refreshToken: out.refreshToken } : {}),
          ...(out.idToken ? { idToken: out.idToken } : {}),
        };
      },
    };
  },

  async portal(config): Promise<SsoPortalApi> {
    const sdk = await import('@aws-sdk/client-sso');
    const client = withoutSdkNodeWarning(() => new sdk.SSOClient(clientOptions(config)));
    return {
      async getRoleCredentials(input) {
        const out = await client.send(new sdk.GetRoleCredentialsCommand(input));
        const c = out.roleCredentials;
        if (!c?.accessKeyId || !c.secretAccessKey || !c.sessionToken || !c.expiration) throw missing('sso:GetRoleCredentials');
        return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(c.expiration) };
      },
    };
  },
};
