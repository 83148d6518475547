/**
 * The one error family of vault. Callers branch on `code`, never on `instanceof`: a plugin the user
 * installed may carry its own copy of `@awsvault/core`, so the contract is structural.
 * @public
 */
export class VaultError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: string, message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VaultError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A backend holds no item under this key. Backends map their store's own "not found" to this. @public */
export class ItemNotFoundError extends VaultError {
  readonly key: string;
  constructor(key: string, where?: string) {
    super('ITEM_NOT_FOUND', `item "${key}" not found${where ? ` in ${where}` : ''}`);
    this.name = 'ItemNotFoundError';
    this.key = key;
  }
}

/** A backend cannot be used on this machine now; automatic selection moves on to the next one. @public */
export class BackendUnavailableError extends VaultError {
  constructor(backend: string, reason: string, hint?: string) {
    super('BACKEND_UNAVAILABLE', `backend ${backend} is not available: ${reason}`, hint === undefined ? {} : { hint });
    this.name = 'BackendUnavailableError';
  }
}

/** Structural check that works across copies of this package. @public */
export function isVaultError(error: unknown): error is VaultError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string' &&
    (error as { name?: unknown }).name !== undefined &&
    String((error as { name?: unknown }).name).endsWith('Error') &&
    'exitCode' in error
  );
}

/** True for an `ItemNotFoundError` from any copy of this package. @public */
export function isItemNotFound(error: unknown): boolean {
  return isVaultError(error) && error.code === 'ITEM_NOT_FOUND';
}
