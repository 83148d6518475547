export { WincredBackend, openWincredBackend, targetNameFor, keyFromTargetName, invalidKeyReason, wincredTargetPrefix, WINCRED_TARGET_PREFIX } from './wincredBackend.js';
export type { WincredBackendOptions, OpenWincredOptions } from './wincredBackend.js';
export { Win32Error, WIN32_ERROR, CRED_TYPE_GENERIC, CRED_MAX_CREDENTIAL_BLOB_SIZE, CRED_MAX_GENERIC_TARGET_NAME_LENGTH } from './wincredOs.js';
export type { WincredOs, WincredCredential } from './wincredOs.js';
export {
  powershellWincredOs,
  runPowershell,
  wincredScript,
  encodeRequest,
  decodeRequest,
  parseResponse,
  fileTimeToDate,
  powershellPath,
  isWincredAvailable,
  WincredProtocolError,
  PowershellFailure,
  READY_MARKER,
  RESPONSE_MARKER,
  POWERSHELL_ARGS,
  DEFAULT_POWERSHELL_TIMEOUT_MS,
} from './powershellWincred.js';
export type { WincredOperation, WincredRequest, WincredResponse, PowershellWincredOptions, PowershellRun } from './powershellWincred.js';
export { default as wincredBackendHook } from './hooks/backend.js';
