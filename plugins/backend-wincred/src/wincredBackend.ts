/**
 * aws-vault's `wincred` backend: one generic credential per item in the Windows Credential Manager,
 * target name `aws-vault:aws-vault:<key>` (`<service>:<service>:<key>` with `VAULT_KEYRING_SERVICE`,
 * as granted lays out its store), blob = the item's raw bytes, no user name, persisted on the
 * local machine. vault and aws-vault read each other's items. Every OS call goes through `WincredOs`.
 */
import { BackendUnavailableError, ItemNotFoundError, KeyedQueue, keyringServiceName, VaultError } from '@awsvault/core';
import type { Backend, BackendContext, DebugLogger, Item, ItemMetadata } from '@awsvault/core';
import { CRED_MAX_CREDENTIAL_BLOB_SIZE, CRED_MAX_GENERIC_TARGET_NAME_LENGTH, CRED_TYPE_GENERIC, WIN32_ERROR, Win32Error } from './wincredOs.js';
import type { WincredOs } from './wincredOs.js';

/** aws-vault's prefix (`aws-vault`) and service name (`aws-vault`), joined with colons. @public */
export const WINCRED_TARGET_PREFIX = 'aws-vault:aws-vault:';

/** The target prefix of a keyring whose WinCredPrefix and ServiceName are both `service` (aws-vault's and granted's layout). @public */
export function wincredTargetPrefix(service: string): string {
  return `${service}:${service}:`;
}

/** The target name of an item. @public */
export function targetNameFor(key: string, prefix: string = WINCRED_TARGET_PREFIX): string {
  return `${prefix}${key}`;
}

/** The key of a target name, or undefined when the target is not one of vault's (the prefix matches without regard to case, as Windows does). @public */
export function keyFromTargetName(targetName: string, prefix: string = WINCRED_TARGET_PREFIX): string | undefined {
  if (targetName.length < prefix.length) return undefined;
  if (targetName.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
  return targetName.slice(prefix.length);
}

/** Why vault cannot store `key` in the Credential Manager, or undefined. @public */
export function invalidKeyReason(key: string, prefix: string = WINCRED_TARGET_PREFIX): string | undefined {
  if (key === '') return 'the key is empty';
  if (key.includes('\0')) return 'the key contains a NUL character';
  if (targetNameFor(key, prefix).length > CRED_MAX_GENERIC_TARGET_NAME_LENGTH) return `the target name would be longer than ${CRED_MAX_GENERIC_TARGET_NAME_LENGTH} characters`;
  return undefined;
}

/** @public */
export interface WincredBackendOptions {
  os: WincredOs;
  /** Target names start with this; default aws-vault's `aws-vault:aws-vault:`. */
  targetPrefix?: string;
  debug?: DebugLogger;
}

const WHERE = 'the Windows Credential Manager';

/** The Credential Manager as aws-vault lays it out. Labels and descriptions are not stored (aws-vault stores none). @public */
export class WincredBackend implements Backend {
  readonly name = 'wincred';
  readonly targetPrefix: string;
  readonly #os: WincredOs;
  readonly #debug: DebugLogger;
  readonly #queue = new KeyedQueue((target) => target.toLowerCase());

  constructor(options: WincredBackendOptions) {
    this.targetPrefix = options.targetPrefix ?? WINCRED_TARGET_PREFIX;
    this.#os = options.os;
    this.#debug = options.debug ?? (() => {});
  }

  async get(key: string): Promise<Item> {
    const target = this.#target(key);
    const credential = await this.#call('read', key, () => this.#os.read(target, true));
    if (credential.blob === undefined) throw new VaultError('WINCRED_FAILED', `cannot read item "${key}" from ${WHERE}: the credential came back without its data`);
    return { key, data: credential.blob };
  }

  async set(item: Item): Promise<void> {
    const target = this.#target(item.key);
    if (item.data.length > CRED_MAX_CREDENTIAL_BLOB_SIZE) {
      throw new VaultError(
        'WINCRED_TOO_LARGE',
        `item "${item.key}" is ${item.data.length} bytes: ${WHERE} keeps at most ${CRED_MAX_CREDENTIAL_BLOB_SIZE} bytes per credential`,
        { hint: 'store it in another backend, e.g. --backend file (AWS_VAULT_BACKEND=file)' },
      );
    }
    await this.#queue.run(target, () => this.#call('write', item.key, () => this.#os.write(target, item.data)));
  }

  async remove(key: string): Promise<void> {
    const target = this.#target(key);
    await this.#queue.run(target, () => this.#call('remove', key, () => this.#os.delete(target)));
  }

  async keys(): Promise<string[]> {
    let credentials;
    try {
      credentials = await this.#call('list', undefined, () => this.#os.enumerate(`${this.targetPrefix}*`));
    } catch (error) {
      // CredEnumerate reports "no match" as ERROR_NOT_FOUND.
      if (error instanceof ItemNotFoundError) return [];
      throw error;
    }
    const keys = new Set<string>();
    for (const credential of credentials) {
      if (credential.type !== CRED_TYPE_GENERIC) continue;
      const key = keyFromTargetName(credential.targetName, this.targetPrefix);
      if (key !== undefined && key !== '') keys.add(key);
    }
    return [...keys];
  }

  async getMetadata(key: string): Promise<ItemMetadata> {
    const target = this.#target(key);
    const credential = await this.#call('read', key, () => this.#os.read(target, false));
    const metadata: ItemMetadata = { key };
    if (credential.lastWritten !== undefined) metadata.modificationTime = credential.lastWritten;
    return metadata;
  }

  #target(key: string): string {
    const reason = invalidKeyReason(key, this.targetPrefix);
    if (reason !== undefined) throw new VaultError('WINCRED_INVALID_KEY', `cannot use key ${JSON.stringify(key)} with the wincred backend: ${reason}`);
    return targetNameFor(key, this.targetPrefix);
  }

  /** Runs one OS call and maps what Windows said: not found → ItemNotFoundError, anything else → WINCRED_FAILED. */
  async #call<T>(action: 'read' | 'write' | 'remove' | 'list', key: string | undefined, command: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const result = await command();
      this.#debug(`wincred: ${action}${key === undefined ? '' : ` ${JSON.stringify(key)}`}: ok in ${Date.now() - started} ms`);
      return result;
    } catch (error) {
      this.#debug(`wincred: ${action}${key === undefined ? '' : ` ${JSON.stringify(key)}`}: ${error instanceof Error ? error.message : String(error)}`);
      throw this.#mapError(action, key, error);
    }
  }

  #mapError(action: 'read' | 'write' | 'remove' | 'list', key: string | undefined, error: unknown): Error {
    const what = key === undefined ? 'the items' : `item "${key}"`;
    const verb = { read: 'read', write: 'store', remove: 'remove', list: 'list' }[action];
    if (!(error instanceof Win32Error)) {
      return new VaultError('WINCRED_FAILED', `cannot ${verb} ${what} in ${WHERE}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'vault reaches the Credential Manager through Windows PowerShell; check that powershell.exe runs and that Add-Type is allowed (no Constrained Language Mode)',
        cause: error,
      });
    }
    if (error.code === WIN32_ERROR.NOT_FOUND && action !== 'write') return new ItemNotFoundError(key ?? '', WHERE);
    const hints: Partial<Record<number, string>> = {
      [WIN32_ERROR.NO_SUCH_LOGON_SESSION]:
        'this logon session has no Credential Manager (a service, a scheduled task without a loaded profile, or a network logon); use another backend, e.g. --backend file',
      [WIN32_ERROR.RPC_X_BAD_STUB_DATA]: `the item may be too large (at most ${CRED_MAX_CREDENTIAL_BLOB_SIZE} bytes); use another backend, e.g. --backend file`,
      [WIN32_ERROR.ACCESS_DENIED]: 'Windows refused access to the credential',
    };
    const hint = hints[error.code];
    return new VaultError('WINCRED_FAILED', `cannot ${verb} ${what} in ${WHERE}: ${error.message}`, hint === undefined ? { cause: error } : { hint, cause: error });
  }
}

/** Test seams for `openWincredBackend`. @public */
export interface OpenWincredOptions {
  platform?: NodeJS.Platform;
  os?: WincredOs;
  timeoutMs?: number;
}

/**
 * Opens the backend for a CLI context. Throws `BackendUnavailableError` off Windows. The OS layer
 * (and its PowerShell code) loads only here.
 * @public
 */
export async function openWincredBackend(ctx: BackendContext, options: OpenWincredOptions = {}): Promise<WincredBackend> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'win32') {
    throw new BackendUnavailableError('wincred', `the Windows Credential Manager exists only on Windows (this is ${platform})`, 'choose another backend with --backend or AWS_VAULT_BACKEND, e.g. file');
  }
  let os = options.os;
  if (os === undefined) {
    const { powershellWincredOs } = await import('./powershellWincred.js');
    os = powershellWincredOs({ env: ctx.env, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
  }
  const targetPrefix = wincredTargetPrefix(keyringServiceName(ctx.env));
  ctx.debug(`wincred: targets ${targetPrefix}<key>`);
  return new WincredBackend({ os, targetPrefix, debug: ctx.debug });
}
