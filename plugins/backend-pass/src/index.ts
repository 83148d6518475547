export { PassBackend, openPassBackend } from './passBackend.js';
export type { PassBackendOptions } from './passBackend.js';
export {
  resolvePassSettings,
  resolveStoreDir,
  findExecutable,
  isStoreInitialised,
  checkPassUsable,
  isPassAvailable,
  PASS_DIR_ENV,
  PASS_CMD_ENV,
  PASS_PREFIX_ENV,
  PASS_TIMEOUT_ENV,
  DEFAULT_PASS_TIMEOUT_MS,
} from './settings.js';
export type { PassSettings, PassUnavailable } from './settings.js';
export {
  encodeKey,
  decodeEntryPath,
  entryName,
  awsVaultEntryName,
  fallbackEntryName,
  fromAwsVaultKey,
  isAmbiguousKey,
  invalidKeyReason,
  prefixSegments,
  RESERVED_DIRS,
} from './entryName.js';
export { encodeKeyringItemJson as encodeItemJson, decodeKeyringItemJson as decodeItemJson, KeyringItemJsonError as PassItemJsonError } from '@awsvault/core';
export type { KeyringItem as PassItem } from '@awsvault/core';
export { runPass, lastStderrLine, STDERR_LIMIT } from './runPass.js';
export type { PassRun, RunPassOptions } from './runPass.js';
export { default as passBackendHook } from './hooks/backend.js';
