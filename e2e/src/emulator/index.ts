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
