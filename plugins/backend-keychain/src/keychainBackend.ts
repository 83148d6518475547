/**
 * aws-vault's `keychain` backend: one generic password per item in `~/Library/Keychains/<name>.keychain-db`,
 * service `aws-vault` (or `VAULT_KEYRING_SERVICE`, e.g. granted's for `vault import`), account = key,
 * label and kind (description) from the item, data = the item's raw bytes. vault and aws-vault read
 * each other's items. Every OS call goes through `KeychainOs`.
 */
import { BackendUnavailableError, isCredentialsKey, ItemNotFoundError, KeyedQueue, keyringServiceName, VaultError } from '@awsvault/core';
import type { Backend, BackendContext, DebugLogger, Item, ItemMetadata } from '@awsvault/core';
import type { KeychainOs, SecurityRun } from './keychainOs.js';
import { ATTRIBUTE, attributeText, classifyFailure, lastErrorLine, parsePasswordLine, parsePrintedItems, parseTimeDate } from './securityOutput.js';
import type { PrintedItem, SecurityFailure } from './securityOutput.js';
import { keychainPath, keychainUnavailableReason, resolveKeychainName } from './settings.js';
import {
  addPasswordLine,
  createKeychainArgs,
  deletePasswordArgs,
  dumpKeychainArgs,
  findPasswordArgs,
  isLineSafe,
  KEYCHAIN_SERVICE,
  MAX_COMMAND_LINE_BYTES,
  SECURITY_TOOL,
  systemKeychainOs,
  unlockKeychainArgs,
} from './securityTool.js';

/** @public */
export interface KeychainBackendOptions {
  /** The keychain file, e.g. `/Users/jon/Library/Keychains/aws-vault.keychain-db`. */
  keychainPath: string;
  /** The OS layer; `systemKeychainOs()` on a Mac. */
  os: KeychainOs;
  /** The items' service attribute; default `aws-vault`. */
  service?: string;
  debug?: DebugLogger;
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const nonEmpty = (text: string | undefined): string | undefined => (text === undefined || text === '' ? undefined : text);

/** Why vault cannot address `key` in the keychain, or undefined. @public */
export function invalidKeyReason(key: string): string | undefined {
  if (key === '') return 'the key is empty';
  if (key.includes('\0')) return 'the key contains a NUL character';
  if (/[\r\n]/.test(key)) return 'the key contains a line break';
  return undefined;
}

/** The keychain as aws-vault lays it out. @public */
export class KeychainBackend implements Backend {
  readonly name = 'keychain';
  readonly keychainPath: string;
  /** The service attribute of the items this backend owns (aws-vault's unless `VAULT_KEYRING_SERVICE`). */
  readonly service: string;
  readonly #os: KeychainOs;
  readonly #debug: DebugLogger;
  readonly #queue = new KeyedQueue();
  /** The keychain's canonical path once it is known to exist. */
  #realPath: string | undefined;
  #creating: Promise<void> | undefined;
  #unlocking: Promise<void> | undefined;

  constructor(options: KeychainBackendOptions) {
    this.keychainPath = options.keychainPath;
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.#os = options.os;
    this.#debug = options.debug ?? (() => {});
  }

  async get(key: string): Promise<Item> {
    this.#checkKey(key);
    if (!(await this.#exists())) throw this.#notFound(key);
    const run = await this.#call('read', key, () => this.#os.run(findPasswordArgs(this.keychainPath, key, true, this.service)));
    if (run.status !== 0) this.#fail('read', key, run);
    const printed = this.#ownItem(run.stdout, key);
    const data = parsePasswordLine(run.stderr);
    if (data === undefined) {
      throw new VaultError('KEYCHAIN_FAILED', `cannot read item "${key}" in ${this.keychainPath}: security printed no password line`, {
        hint: `run security find-generic-password -s ${this.service} -a <key> -g <keychain> yourself to see what it prints`,
      });
    }
    const item: Item = { key, data };
    const label = nonEmpty(attributeText(printed, ATTRIBUTE.LABEL));
    const description = nonEmpty(attributeText(printed, ATTRIBUTE.DESCRIPTION));
    if (label !== undefined) item.label = label;
    if (description !== undefined) item.description = description;
    return item;
  }

  async set(item: Item): Promise<void> {
    this.#checkKey(item.key);
    const label = item.label ?? '';
    const kind = item.description ?? '';
    for (const [field, value] of [
      ['label', label],
      ['description', kind],
    ] as const) {
      if (!isLineSafe(bytesOf(value))) {
        throw new VaultError('KEYCHAIN_INVALID_ITEM', `cannot store item "${item.key}" in the keychain: its ${field} contains a NUL character or a line break`);
      }
    }
    // aws-vault marks master credentials "not trusting the application": macOS asks before each read.
    const untrusted = isCredentialsKey(item.key);
    const base = { keychain: this.keychainPath, service: this.service, account: item.key, label, kind, data: item.data };
    const createLine = addPasswordLine({ ...base, update: false, untrusted });
    const updateLine = addPasswordLine({ ...base, update: true, untrusted: false });
    const needed = Math.max(createLine.length, updateLine.length);
    if (needed > MAX_COMMAND_LINE_BYTES) {
      const encoding = isLineSafe(item.data) ? '' : ' (it holds NUL or newline bytes, so it travels hex-encoded, at twice its size)';
      throw new VaultError(
        'KEYCHAIN_TOO_LARGE',
        `item "${item.key}" is too large for the keychain backend: its data is ${item.data.length} bytes${encoding}, ` +
          `and the command that stores it would be ${needed} bytes, over the ${MAX_COMMAND_LINE_BYTES} bytes security -i reads as one line`,
        { hint: 'store it in another backend, e.g. --backend file (AWS_VAULT_BACKEND=file)' },
      );
    }
    await this.#queue.run(item.key, async () => {
      await this.#ensureKeychain();
      const created = await this.#call('write', item.key, () => this.#os.runInteractive(createLine));
      if (created.status === 0) return;
      if (this.#failure(created) !== 'duplicate') this.#fail('write', item.key, created);
      // The item exists: -U changes its data, label and kind and keeps its access list.
      const updated = await this.#call('update', item.key, () => this.#os.runInteractive(updateLine));
      if (updated.status === 0) return;
      if (this.#failure(updated) !== 'duplicate') this.#fail('update', item.key, updated);
      // Not expected: the tool matches -U by service and account. Should it still report a
      // duplicate, replace the item (its access list is then new).
      this.#debug(`keychain: replacing item ${JSON.stringify(item.key)} (delete and add)`);
      const deleted = await this.#call('delete', item.key, () => this.#os.run(deletePasswordArgs(this.keychainPath, item.key, this.service)));
      if (deleted.status !== 0 && this.#failure(deleted) !== 'not-found') this.#fail('delete', item.key, deleted);
      const added = await this.#call('write', item.key, () => this.#os.runInteractive(createLine));
      if (added.status !== 0) this.#fail('write', item.key, added);
    });
  }

  async remove(key: string): Promise<void> {
    this.#checkKey(key);
    if (!(await this.#exists())) throw this.#notFound(key);
    await this.#queue.run(key, async () => {
      // Find first: delete-generic-password cannot say which keychain it searched, find can.
      const found = await this.#call('find', key, () => this.#os.run(findPasswordArgs(this.keychainPath, key, false, this.service)));
      if (found.status !== 0) this.#fail('find', key, found);
      this.#ownItem(found.stdout, key);
      const deleted = await this.#call('delete', key, () => this.#os.run(deletePasswordArgs(this.keychainPath, key, this.service)));
      if (deleted.status !== 0) this.#fail('delete', key, deleted);
    });
  }

  async keys(): Promise<string[]> {
    if (!(await this.#exists())) return [];
    const run = await this.#call('list', undefined, () => this.#os.run(dumpKeychainArgs(this.keychainPath)));
    if (run.status !== 0) this.#fail('list', undefined, run);
    const keys = new Set<string>();
    for (const printed of parsePrintedItems(run.stdout)) {
      if (!this.#isOwn(printed)) continue;
      const account = attributeText(printed, ATTRIBUTE.ACCOUNT);
      if (account !== undefined) keys.add(account);
    }
    return [...keys];
  }

  async getMetadata(key: string): Promise<ItemMetadata> {
    this.#checkKey(key);
    if (!(await this.#exists())) throw this.#notFound(key);
    const run = await this.#call('find', key, () => this.#os.run(findPasswordArgs(this.keychainPath, key, false, this.service)));
    if (run.status !== 0) this.#fail('find', key, run);
    const printed = this.#ownItem(run.stdout, key);
    const metadata: ItemMetadata = { key };
    const label = nonEmpty(attributeText(printed, ATTRIBUTE.LABEL));
    const description = nonEmpty(attributeText(printed, ATTRIBUTE.DESCRIPTION));
    const modified = parseTimeDate(printed.attributes.get(ATTRIBUTE.MODIFIED));
    if (label !== undefined) metadata.label = label;
    if (description !== undefined) metadata.description = description;
    if (modified !== undefined) metadata.modificationTime = modified;
    return metadata;
  }

  #checkKey(key: string): void {
    const reason = invalidKeyReason(key);
    if (reason !== undefined) throw new VaultError('KEYCHAIN_INVALID_KEY', `cannot use key ${JSON.stringify(key)} with the keychain backend: ${reason}`);
  }

  #notFound(key: string): ItemNotFoundError {
    return new ItemNotFoundError(key, `keychain ${this.keychainPath}`);
  }

  async #exists(): Promise<boolean> {
    if (this.#realPath !== undefined) return true;
    this.#realPath = await this.#os.realPath(this.keychainPath);
    return this.#realPath !== undefined;
  }

  /** An item printed by the tool belongs to vault when it is a generic password of our service in our keychain. */
  #isOwn(printed: PrintedItem): boolean {
    const inKeychain = printed.keychain === this.keychainPath || (this.#realPath !== undefined && printed.keychain === this.#realPath);
    return inKeychain && printed.itemClass === 'genp' && attributeText(printed, ATTRIBUTE.SERVICE) === this.service;
  }

  /** The one item `find-generic-password` printed for `key`; not found when it came from anywhere else. */
  #ownItem(stdout: string, key: string): PrintedItem {
    const printed = parsePrintedItems(stdout)[0];
    if (printed === undefined || !this.#isOwn(printed) || attributeText(printed, ATTRIBUTE.ACCOUNT) !== key) {
      this.#debug(`keychain: security printed an item that is not ${JSON.stringify(key)} in ${this.keychainPath}; treating it as missing`);
      throw this.#notFound(key);
    }
    return printed;
  }

  async #ensureKeychain(): Promise<void> {
    if (await this.#exists()) return;
    this.#creating ??= (async () => {
      this.#debug(`keychain: creating ${this.keychainPath} (macOS asks for its password)`);
      const run = await this.#runOnce('create the keychain', undefined, () => this.#os.run(createKeychainArgs(this.keychainPath)));
      if (run.status === 0 || (await this.#exists())) return;
      const failure = this.#failure(run);
      if (failure === 'cancelled') throw new VaultError('KEYCHAIN_CANCELLED', `creating the keychain ${this.keychainPath} was cancelled`);
      const why = failure === 'interaction-not-allowed' ? 'macOS cannot show its password dialog here (no GUI session)' : lastErrorLine(run.stderr) ?? `exit status ${run.status}`;
      throw new VaultError('KEYCHAIN_CREATE_FAILED', `cannot create the keychain ${this.keychainPath}: ${why}`, {
        hint: `create it yourself in a terminal: ${SECURITY_TOOL} create-keychain ${this.keychainPath} (it asks for the new password)`,
      });
    })().finally(() => {
      this.#creating = undefined;
    });
    await this.#creating;
  }

  #failure(run: SecurityRun): SecurityFailure {
    return classifyFailure(run.status, run.stderr);
  }

  /** Runs one command: a tool that cannot start or runs out of time is an error; any exit status goes back. */
  async #runOnce(action: string, key: string | undefined, command: () => Promise<SecurityRun>): Promise<SecurityRun> {
    const what = `${action}${key === undefined ? '' : ` ${JSON.stringify(key)}`}`;
    const started = Date.now();
    let run: SecurityRun;
    try {
      run = await command();
    } catch (error) {
      throw new VaultError('KEYCHAIN_FAILED', `cannot run ${SECURITY_TOOL} to ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    // lastErrorLine never returns the `password:` line of find-generic-password -g.
    this.#debug(
      `keychain: ${what}: ${run.timedOut ? 'timed out' : `exit ${run.status}`} in ${Date.now() - started} ms` +
        (run.status === 0 ? '' : ` (${lastErrorLine(run.stderr) ?? 'no message'})`),
    );
    if (run.timedOut) {
      throw new VaultError('KEYCHAIN_FAILED', `security did not finish (${what}) in time and was stopped`, {
        hint: 'a keychain dialog may be waiting for an answer (look behind other windows); then run the command again',
      });
    }
    return run;
  }

  /**
   * Runs one command. A locked keychain that cannot be unlocked by a dialog here (no GUI, e.g. over
   * SSH) is unlocked once with `security unlock-keychain`, which asks for the password on the
   * terminal, and the command runs again. Cancelled dialogs and denied access become errors here;
   * other statuses go back to the caller.
   */
  async #call(action: string, key: string | undefined, command: () => Promise<SecurityRun>): Promise<SecurityRun> {
    let unlocked = false;
    for (;;) {
      const run = await this.#runOnce(action, key, command);
      if (run.status === 0) return run;
      const failure = this.#failure(run);
      const what = key === undefined ? 'the keychain' : `item "${key}"`;
      if (failure === 'interaction-not-allowed' && !unlocked) {
        unlocked = true;
        await this.#unlock();
        continue;
      }
      if (failure === 'interaction-not-allowed') {
        throw new VaultError('KEYCHAIN_LOCKED', `cannot ${action} ${what}: the keychain ${this.keychainPath} is locked, or macOS needs a confirmation it cannot ask for here`, {
          hint: `unlock it first (${SECURITY_TOOL} unlock-keychain ${this.keychainPath}), or run vault in the macOS GUI session to answer the dialog`,
        });
      }
      if (failure === 'cancelled') throw new VaultError('KEYCHAIN_CANCELLED', `the keychain dialog was cancelled (${action} ${what})`);
      if (failure === 'auth-failed') {
        throw new VaultError('KEYCHAIN_ACCESS_DENIED', `access to ${what} in ${this.keychainPath} was denied (or the keychain password was wrong)`, {
          hint: 'answer Allow when macOS asks whether security may use the item',
        });
      }
      return run;
    }
  }

  /** One `unlock-keychain` at a time, shared by concurrent calls; the tool asks on the terminal. */
  async #unlock(): Promise<void> {
    this.#unlocking ??= (async () => {
      this.#debug(`keychain: ${this.keychainPath} is locked; running security unlock-keychain`);
      const run = await this.#runOnce('unlock', undefined, () => this.#os.run(unlockKeychainArgs(this.keychainPath)));
      if (run.status === 0) return;
      const why =
        this.#failure(run) === 'auth-failed'
          ? 'the password was not correct'
          : run.status === 255
            ? 'there is no terminal to ask for the password on'
            : lastErrorLine(run.stderr) ?? `exit status ${run.status}`;
      throw new VaultError('KEYCHAIN_LOCKED', `the keychain ${this.keychainPath} is locked and could not be unlocked: ${why}`, {
        hint: `unlock it in a terminal first: ${SECURITY_TOOL} unlock-keychain ${this.keychainPath}`,
      });
    })().finally(() => {
      this.#unlocking = undefined;
    });
    await this.#unlocking;
  }

  /** Maps a failed run: not found → ItemNotFoundError (reads and removes), anything else → KEYCHAIN_FAILED naming the key. */
  #fail(action: string, key: string | undefined, run: SecurityRun): never {
    if (this.#failure(run) === 'not-found' && key !== undefined && action !== 'write' && action !== 'update') throw this.#notFound(key);
    const detail = lastErrorLine(run.stderr);
    const status = run.status === null ? 'killed by a signal' : `exit status ${run.status}`;
    throw new VaultError(
      'KEYCHAIN_FAILED',
      `security could not ${action} ${key === undefined ? 'the items' : `item "${key}"`} in ${this.keychainPath} (${status})${detail === undefined ? '' : `: ${detail}`}`,
    );
  }
}

/** Test seams for `openKeychainBackend`. @public */
export interface OpenKeychainOptions {
  platform?: NodeJS.Platform;
  /** The security tool whose presence decides availability; default `/usr/bin/security`. */
  securityTool?: string;
  /** The OS layer; default `systemKeychainOs()`. */
  os?: KeychainOs;
  timeoutMs?: number;
}

/**
 * Opens the backend for a CLI context. Throws `BackendUnavailableError` off macOS or without
 * `/usr/bin/security`, and `KEYCHAIN_INVALID_SETTING` for a bad `AWS_VAULT_KEYCHAIN_NAME`.
 * @public
 */
export async function openKeychainBackend(ctx: BackendContext, options: OpenKeychainOptions = {}): Promise<KeychainBackend> {
  const unavailable = await keychainUnavailableReason(options.platform ?? process.platform, options.securityTool ?? SECURITY_TOOL);
  if (unavailable !== undefined) throw new BackendUnavailableError('keychain', unavailable.reason, unavailable.hint);
  const path = keychainPath(ctx.homeDir, resolveKeychainName(ctx.env));
  const service = keyringServiceName(ctx.env);
  ctx.debug(`keychain: using ${path}, service ${service}`);
  const os = options.os ?? systemKeychainOs({ env: ctx.env, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
  return new KeychainBackend({ keychainPath: path, os, service, debug: ctx.debug });
}
