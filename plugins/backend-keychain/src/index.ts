export { KeychainBackend, openKeychainBackend, invalidKeyReason } from './keychainBackend.js';
export type { KeychainBackendOptions, OpenKeychainOptions } from './keychainBackend.js';
export type { KeychainOs, SecurityRun } from './keychainOs.js';
export {
  systemKeychainOs,
  addPasswordLine,
  quoteArgument,
  isLineSafe,
  findPasswordArgs,
  deletePasswordArgs,
  dumpKeychainArgs,
  unlockKeychainArgs,
  createKeychainArgs,
  SECURITY_TOOL,
  KEYCHAIN_SERVICE,
  MAX_COMMAND_LINE_BYTES,
  MAX_COMMAND_ARGS,
  DEFAULT_SECURITY_TIMEOUT_MS,
} from './securityTool.js';
export type { AddPasswordCommand, SystemKeychainOsOptions } from './securityTool.js';
export {
  parsePrintedItems,
  decodePrintedValue,
  attributeText,
  parseTimeDate,
  parsePasswordLine,
  withoutPasswordLines,
  lastErrorLine,
  classifyFailure,
  SECURITY_STATUS,
  ATTRIBUTE,
} from './securityOutput.js';
export type { PrintedItem, SecurityFailure } from './securityOutput.js';
export { resolveKeychainName, keychainPath, keychainUnavailableReason, isKeychainAvailable, KEYCHAIN_NAME_ENV, DEFAULT_KEYCHAIN_NAME } from './settings.js';
export { default as keychainBackendHook } from './hooks/backend.js';
