/**
 * aws-vault's `pass` backend: one gpg-encrypted pass entry per item, holding the JSON of the whole
 * keyring item, in a layout both tools read and write (see entryName.ts for the one difference).
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendUnavailableError, decodeKeyringItemJson, encodeKeyringItemJson, ItemNotFoundError, KeyedQueue, KeyringItemJsonError, VaultError } from '@awsvault/core';
import type { Backend, BackendContext, DebugLogger, Item, ItemMetadata } from '@awsvault/core';
import { decodeEntryPath, entryName, fallbackEntryName, fromAwsVaultKey, invalidKeyReason, isAmbiguousKey, prefixSegments, RESERVED_DIRS } from './entryName.js';
import { lastStderrLine, runPass } from './runPass.js';
import type { PassRun } from './runPass.js';
import { checkPassUsable, DEFAULT_PASS_TIMEOUT_MS, PASS_PREFIX_ENV, PASS_TIMEOUT_ENV, resolvePassSettings } from './settings.js';

/** @public */
export interface PassBackendOptions {
  /** Absolute store directory; given to pass as PASSWORD_STORE_DIR. */
  storeDir: string;
  /** The pass executable (absolute path, or a name spawn finds on PATH). */
  executable: string;
  /** Sub-directory for vault's entries: a string (cleaned like a path) or its segments. Default none. */
  prefix?: string | readonly string[];
  /** Environment pass runs with (PASSWORD_STORE_DIR is set on top); default this process's. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Limit on each pass call; default 60 s. */
  timeoutMs?: number;
  debug?: DebugLogger;
}

type Action = 'show' | 'insert' | 'rm';

const errnoCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;

/** Hint for a failure, from what gpg/pass said. */
function hintFor(action: Action, stderr: string): string | undefined {
  if (/No secret key/i.test(stderr)) {
    return "the entry is encrypted to a GPG key whose secret key is not in this keyring (GNUPGHOME): check gpg --list-secret-keys against the store's .gpg-id";
  }
  if (/No public key|unusable public key|no assurance|not trusted/i.test(stderr)) {
    return "gpg cannot encrypt to the store's .gpg-id recipients: import (and trust) their public keys, or run pass init with your key";
  }
  if (/\/dev\/tty|pinentry|Inappropriate ioctl|Operation cancelled|Bad passphrase/i.test(stderr)) {
    return 'gpg needs the passphrase of your key but cannot ask for it here: unlock the key first (run pass show once in a terminal, or use a graphical pinentry)';
  }
  if (/pass init/.test(stderr)) return 'run pass init <gpg-key-id> for this store';
  if (action === 'show' && /not in the password store/.test(stderr)) return 'the entry disappeared while vault was reading it';
  return undefined;
}

/** A pass password store holding aws-vault items. @public */
export class PassBackend implements Backend {
  readonly name = 'pass';
  readonly storeDir: string;
  /** Cleaned prefix segments (empty when entries live at the store's top level). */
  readonly prefix: readonly string[];
  readonly timeoutMs: number;
  readonly #executable: string;
  readonly #env: Record<string, string>;
  readonly #debug: DebugLogger;
  readonly #names = new KeyedQueue();
  /** Every insert and rm, one at a time: pass may commit to a git repository in the store. */
  readonly #writes = new KeyedQueue();

  constructor(options: PassBackendOptions) {
    this.storeDir = options.storeDir;
    this.prefix = typeof options.prefix === 'string' ? prefixSegments(options.prefix) : [...(options.prefix ?? [])];
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PASS_TIMEOUT_MS;
    this.#executable = options.executable;
    this.#debug = options.debug ?? (() => {});
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.env ?? process.env)) if (value !== undefined) env[name] = value;
    env['PASSWORD_STORE_DIR'] = options.storeDir;
    this.#env = env;
  }

  /** The pass entry name vault uses for `key` (prefix included). @public */
  entryNameFor(key: string): string {
    this.#checkKey(key);
    return entryName(this.prefix, key);
  }

  /** The encrypted file behind an entry name. @public */
  filePathFor(name: string): string {
    return join(this.storeDir, ...name.split('/')) + '.gpg';
  }

  async get(key: string): Promise<Item> {
    this.#checkKey(key);
    const primary = entryName(this.prefix, key);
    return this.#names.run(primary, async () => {
      const name = await this.#locate(key, primary);
      const run = await this.#pass('show', name);
      let stored;
      try {
        stored = decodeKeyringItemJson(run.stdout, 'the entry');
      } catch (error) {
        const detail = error instanceof KeyringItemJsonError ? error.message : 'it cannot be parsed';
        throw new VaultError('PASS_ITEM_CORRUPT', `pass entry ${name} is not an aws-vault item: ${detail}`, {
          hint: `it may be a password stored there by hand; keep vault's entries in their own folder with ${PASS_PREFIX_ENV}`,
        });
      }
      const item: Item = { key, data: stored.data };
      if (stored.label !== '') item.label = stored.label;
      if (stored.description !== '') item.description = stored.description;
      return item;
    });
  }

  async set(item: Item): Promise<void> {
    this.#checkKey(item.key);
    if (isAmbiguousKey(item.key)) {
      throw new VaultError(
        'PASS_INVALID_KEY',
        `cannot store ${JSON.stringify(item.key)} in pass: it looks like aws-vault's path-cleaned name of ${JSON.stringify(fromAwsVaultKey(item.key))} and would be read back as that`,
      );
    }
    const name = entryName(this.prefix, item.key);
    const input = encodeKeyringItemJson(item);
    await this.#names.run(name, () => this.#writes.run('', () => this.#pass('insert', name, input)));
  }

  async remove(key: string): Promise<void> {
    this.#checkKey(key);
    const primary = entryName(this.prefix, key);
    await this.#names.run(primary, async () => {
      const fallback = fallbackEntryName(this.prefix, key);
      // Both tools may hold the same token; after remove neither copy may answer for the key.
      const present = [primary, ...(fallback === undefined ? [] : [fallback])];
      const existing: string[] = [];
      for (const name of present) if (await this.#exists(name)) existing.push(name);
      if (existing.length === 0) throw new ItemNotFoundError(key, this.#where());
      for (const name of existing) await this.#writes.run('', () => this.#pass('rm', name));
    });
  }

  async keys(): Promise<string[]> {
    const root = join(this.storeDir, ...this.prefix);
    const found = new Set<string>();
    await this.#walk(root, '', found);
    return [...found].sort();
  }

  async getMetadata(key: string): Promise<ItemMetadata> {
    this.#checkKey(key);
    const primary = entryName(this.prefix, key);
    const name = await this.#locate(key, primary);
    const path = this.filePathFor(name);
    try {
      return { key, modificationTime: (await stat(path)).mtime };
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw new ItemNotFoundError(key, this.#where());
      throw new VaultError('PASS_FAILED', `cannot read ${path}: ${errnoCode(error) ?? String(error)}`, { cause: error });
    }
  }

  #where(): string {
    return this.prefix.length === 0 ? `pass store ${this.storeDir}` : `pass store ${this.storeDir} (prefix ${this.prefix.join('/')})`;
  }

  #checkKey(key: string): void {
    const reason = invalidKeyReason(key);
    if (reason !== undefined) throw new VaultError('PASS_INVALID_KEY', `cannot use ${JSON.stringify(key)} as a pass entry: ${reason}`);
  }

  async #exists(name: string): Promise<boolean> {
    try {
      return (await stat(this.filePathFor(name))).isFile();
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw new VaultError('PASS_FAILED', `cannot read ${this.filePathFor(name)}: ${code ?? String(error)}`, { cause: error });
    }
  }

  /** The entry holding `key`: vault's own name, else aws-vault's for an OIDC key; not found otherwise. */
  async #locate(key: string, primary: string): Promise<string> {
    if (await this.#exists(primary)) return primary;
    const fallback = fallbackEntryName(this.prefix, key);
    if (fallback !== undefined && (await this.#exists(fallback))) {
      this.#debug(`pass backend: ${primary} not found, using aws-vault's entry ${fallback}`);
      return fallback;
    }
    throw new ItemNotFoundError(key, this.#where());
  }

  async #walk(dir: string, relative: string, found: Set<string>): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw new VaultError('PASS_FAILED', `cannot list ${dir}: ${code ?? String(error)}`, { cause: error });
    }
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!RESERVED_DIRS.has(entry.name)) await this.#walk(join(dir, entry.name), path, found);
        continue;
      }
      if (!entry.name.endsWith('.gpg') || entry.name === '.gpg') continue;
      // Like aws-vault (filepath.Walk): a symlink counts when it points at a file; linked directories are not entered.
      if (entry.isSymbolicLink() && !(await stat(join(dir, entry.name)).then((info) => info.isFile(), () => false))) continue;
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const key = fromAwsVaultKey(decodeEntryPath(path.slice(0, -'.gpg'.length)));
      // Only an entry vault cannot address (`%.gpg`, aws-vault's name for the key "%") is left out.
      if (invalidKeyReason(key) === undefined) found.add(key);
      else this.#debug(`pass backend: ignoring entry ${path}: it does not name a key vault can read`);
    }
  }

  /** Runs pass; resolves on exit status 0, otherwise throws PASS_FAILED naming the entry. */
  async #pass(action: Action, name: string, input?: Uint8Array): Promise<PassRun> {
    const args: string[] = action === 'insert' ? ['insert', '-m', '-f'] : action === 'rm' ? ['rm', '-f'] : ['show'];
    if (name.startsWith('-')) args.push('--');
    args.push(name);
    const started = Date.now();
    let run: PassRun;
    try {
      run = await runPass(this.#executable, args, { env: this.#env, timeoutMs: this.timeoutMs, ...(input === undefined ? {} : { input }) });
    } catch (error) {
      throw new VaultError('PASS_FAILED', `cannot run ${this.#executable} for ${name}: ${errnoCode(error) ?? String(error)}`, {
        hint: 'check that pass is installed (or AWS_VAULT_PASS_CMD)',
        cause: error,
      });
    }
    const last = lastStderrLine(run.stderr);
    this.#debug(
      `pass backend: pass ${action} ${name}: ${run.timedOut ? 'timed out' : run.signal ?? `exit ${run.code}`} in ${Date.now() - started} ms` +
        (last === undefined || run.code === 0 ? '' : ` (${last})`),
    );
    if (run.timedOut) {
      throw new VaultError('PASS_FAILED', `pass ${action} ${name} did not finish within ${Math.round(this.timeoutMs / 100) / 10} s and was stopped`, {
        hint: `gpg-agent may be waiting for a passphrase prompt (pinentry) nobody can answer: unlock the key in a terminal first, or raise ${PASS_TIMEOUT_ENV}`,
      });
    }
    if (run.code === 0) return run;
    const gpgLine = lastStderrLine(run.stderr.split(/\r?\n/).filter((line) => line.trim().startsWith('gpg:')).join('\n'));
    const detail = last === undefined ? 'no error output' : gpgLine !== undefined && gpgLine !== last ? `${gpgLine}; ${last}` : last;
    const status = run.code === null ? `killed by ${run.signal ?? 'a signal'}` : `exit status ${run.code}`;
    const hint = hintFor(action, run.stderr);
    throw new VaultError('PASS_FAILED', `pass ${action} ${name} failed (${status}): ${detail}`, hint === undefined ? {} : { hint });
  }
}

/**
 * Opens the backend for a CLI context. Throws `BackendUnavailableError` when pass is missing or the
 * store has no `.gpg-id`, and `PASS_INVALID_SETTING` for a bad prefix or timeout.
 * @public
 */
export async function openPassBackend(ctx: BackendContext, overrides: Partial<Pick<PassBackendOptions, 'timeoutMs'>> = {}): Promise<PassBackend> {
  const settings = resolvePassSettings(ctx.env, ctx.homeDir);
  const usable = await checkPassUsable(settings, ctx.env);
  if (!('executable' in usable)) throw new BackendUnavailableError('pass', usable.reason, usable.hint);
  ctx.debug(
    `pass backend: store ${settings.storeDir}${settings.prefix.length === 0 ? '' : `, prefix ${settings.prefix.join('/')}`}, command ${usable.executable}`,
  );
  return new PassBackend({
    storeDir: settings.storeDir,
    executable: usable.executable,
    prefix: settings.prefix,
    env: ctx.env,
    timeoutMs: overrides.timeoutMs ?? settings.timeoutMs,
    debug: ctx.debug,
  });
}
