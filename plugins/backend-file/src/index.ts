export { FileBackend, openFileBackend, resolveFileDir, FILE_DIR_ENV, FILE_PASSPHRASE_ENV } from './fileBackend.js';
export type { FileBackendOptions } from './fileBackend.js';
export {
  encryptJwe,
  decryptJwe,
  parseJweHeader,
  JweError,
  JWE_ALG,
  JWE_ENC,
  DEFAULT_P2C,
  MAX_P2C,
} from './jwe.js';
export type { JweHeader, EncryptJweOptions, DecryptJweOptions, DecryptedJwe, KekDeriver } from './jwe.js';
export { encodeKeyringItemJson as encodeItemJson, decodeKeyringItemJson as decodeItemJson, KeyringItemJsonError as ItemJsonError } from '@awsvault/core';
export type { KeyringItem, EncodeKeyringItemOptions as EncodeItemOptions } from '@awsvault/core';
export { encodeFileName, decodeFileName, isTempFileName, TEMP_FILE_PREFIX } from './fileName.js';
export { default as fileBackendHook } from './hooks/backend.js';
