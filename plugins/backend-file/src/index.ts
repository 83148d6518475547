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
export {
  encryptOpenPgp,
  decryptOpenPgp,
  detectItemFormat,
  loadOpenPgp,
  OpenPgpError,
  OPENPGP_ARMOR_HEADER,
  DEFAULT_S2K_COUNT_BYTE,
  DEFAULT_ARGON2_MEMORY_MIB,
  MIN_ARGON2_MEMORY_MIB,
  MAX_ARGON2_MEMORY_MIB,
  MAX_READ_ARGON2_MEMORY_MIB,
  MAX_READ_ARGON2_PASSES,
  ARGON2_PASSES,
  ARGON2_PARALLELISM,
  argon2MemoryExponent,
  checkS2kCountByte,
  s2kByteCount,
} from './openpgpFormat.js';
export type { OpenPgpKdf, EncryptOpenPgpOptions, DecryptedOpenPgp } from './openpgpFormat.js';
export { resolveFileWriteSettings, FILE_FORMAT_ENV, FILE_KDF_ENV, FILE_ARGON2_MEMORY_ENV } from './fileSettings.js';
export type { FileFormat, FileWriteSettings } from './fileSettings.js';
export { encodeKeyringItemJson as encodeItemJson, decodeKeyringItemJson as decodeItemJson, KeyringItemJsonError as ItemJsonError } from '@awsvault/core';
export type { KeyringItem, EncodeKeyringItemOptions as EncodeItemOptions } from '@awsvault/core';
export { encodeFileName, decodeFileName, isTempFileName, TEMP_FILE_PREFIX } from './fileName.js';
export { default as fileBackendHook } from './hooks/backend.js';
