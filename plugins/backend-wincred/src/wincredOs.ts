/**
 * The whole operating-system surface of the wincred backend: the four advapi32 credential calls it
 * needs, for generic credentials only. Everything above it (target names, key listing, the size
 * limit, what an error code means) is plain code that runs on any platform.
 */

/** CRED_TYPE_GENERIC. @public */
export const CRED_TYPE_GENERIC = 1;
/** CRED_MAX_CREDENTIAL_BLOB_SIZE (5 * 512): the most bytes a credential's blob can hold. @public */
export const CRED_MAX_CREDENTIAL_BLOB_SIZE = 5 * 512;
/** CRED_MAX_GENERIC_TARGET_NAME_LENGTH, in UTF-16 code units. @public */
export const CRED_MAX_GENERIC_TARGET_NAME_LENGTH = 32767;

/** Windows error codes the backend tells apart. @public */
export const WIN32_ERROR = {
  ACCESS_DENIED: 5,
  INVALID_PARAMETER: 87,
  /** "Element not found.": no credential with that target name (or none matching the filter). */
  NOT_FOUND: 1168,
  /** "A specified logon session does not exist.": no Credential Manager in this logon session. */
  NO_SUCH_LOGON_SESSION: 1312,
  /** "The stub received bad data.": what CredWrite reports for a blob over the limit. */
  RPC_X_BAD_STUB_DATA: 1783,
} as const;

/** A failed credential call: the Windows error code and its (localised) message. @public */
export class Win32Error extends Error {
  readonly code: number;
  readonly operation: string;
  constructor(operation: string, code: number, message: string) {
    super(`${operation} failed: ${message} (Windows error ${code})`);
    this.name = 'Win32Error';
    this.operation = operation;
    this.code = code;
  }
}

/** One credential as CredRead/CredEnumerate return it. @public */
export interface WincredCredential {
  type: number;
  targetName: string;
  /** The CredentialBlob; absent when it was not asked for. */
  blob?: Uint8Array;
  /** LastWritten, when the OS reported one. */
  lastWritten?: Date;
}

/**
 * What the backend asks of Windows. Each method rejects with a `Win32Error` carrying the code
 * GetLastError gave; other rejections mean the call could not be made at all. The real
 * implementation is `powershellWincredOs()`; tests pass an in-memory fake.
 * @public
 */
export interface WincredOs {
  /** CredReadW(target, CRED_TYPE_GENERIC); `withBlob: false` leaves the blob out of the answer. */
  read(targetName: string, withBlob: boolean): Promise<WincredCredential>;
  /** CredWriteW of a generic credential: no user name, CRED_PERSIST_LOCAL_MACHINE. */
  write(targetName: string, blob: Uint8Array): Promise<void>;
  /** CredDeleteW(target, CRED_TYPE_GENERIC). */
  delete(targetName: string): Promise<void>;
  /** CredEnumerateW(filter), e.g. `aws-vault:aws-vault:*`; blobs are not returned. */
  enumerate(filter: string): Promise<WincredCredential[]>;
}
