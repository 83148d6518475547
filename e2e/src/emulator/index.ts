/** Public surface of the AWS emulator for whole-CLI tests. */
export { startEmulator, type Emulator, type EmulatorOptions } from './server.js';
export {
  EmulatorState,
  DEFAULT_ACCOUNT_ID,
  TOTP_PERIOD_MS,
  type AccessKeyState,
  type CreatedAccessKey,
  type CreatedMfaDevice,
  type CreatedUser,
  type CreateRoleOptions,
  type EmulatorStateOptions,
  type Fault,
  type RequestLogEntry,
  type SessionRecord,
  type SessionTag,
} from './state.js';
export { AwsError } from './errors.js';
export { FederationEndpoint, SIGNIN_TOKEN_TTL_MS, isFederationRequest, type FederationRecord } from './federation.js';
export {
  signJwt,
  unsignedJwt,
  normalizeIssuer,
  type CreatedOidcProvider,
  type CreateOidcProviderOptions,
  type JwtClaims,
  type OidcProviderRecord,
} from './oidc.js';
export { IdentityCenter, isSsoRequest, type SsoAssignment, type AssignOptions } from './sso.js';
export { SsoOidc, OidcError, DEVICE_CODE_GRANT, type SsoOidcOptions, type AccessTokenRecord, type OidcClientRecord, type DeviceAuthorizationRecord } from './ssoOidc.js';
