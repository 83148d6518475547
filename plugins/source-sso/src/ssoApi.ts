import type { ClientConfig } from '@awsvault/core';

/** The OAuth grant type of the device authorization flow (RFC 8628). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** sso-oidc:RegisterClient input, as vault sends it. */
export interface RegisterClientInput {
  clientName: string;
  clientType: 'public';
  scopes?: string[];
  grantTypes?: string[];
  redirectUris?: string[];
  issuerUrl?: string;
}

export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  /** Unix seconds. */
  clientSecretExpiresAt: number;
  authorizationEndpoint?: string;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Seconds the device code stays valid. */
  expiresIn: number;
  /** Seconds to wait between CreateToken polls. */
  interval?: number;
}

interface ClientSecretPair {
  clientId: string;
  clientSecret: string;
}

/** sso-oidc:CreateToken, one input shape per grant vault uses. */
export type CreateTokenInput = ClientSecretPair &
  (
    | { grantType: typeof DEVICE_CODE_GRANT; deviceCode: string }
    | { grantType: 'refresh_token'; refreshToken: string }
    | { grantType: 'authorization_code'; code: string; redirectUri: string; codeVerifier: string }
  );

export interface IssuedToken {
  accessToken: string;
  tokenType?: string;
  /** Seconds. */
  expiresIn: number;
  refreshToken?: string;
  idToken?: string;
}

/** The SSO-OIDC calls vault makes; errors are the SDK's (their `name` is the AWS error code). */
export interface SsoOidcApi {
  registerClient(input: RegisterClientInput): Promise<RegisteredClient>;
  startDeviceAuthorization(input: ClientSecretPair & { startUrl: string }): Promise<DeviceAuthorization>;
  createToken(input: CreateTokenInput): Promise<IssuedToken>;
}

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** The access-portal call vault makes. */
export interface SsoPortalApi {
  getRoleCredentials(input: { accessToken: string; accountId: string; roleName: string }): Promise<RoleCredentials>;
}

/** Makes the clients for one region and endpoint; tests pass fakes, vault passes {@link loadSsoApi}. */
export interface SsoApiFactory {
  oidc(config: ClientConfig): Promise<SsoOidcApi>;
  portal(config: ClientConfig): Promise<SsoPortalApi>;
}
