/**
 * aws-vault's `file` backend: one encrypted file per item in ~/.awsvault/keys (or
 * AWS_VAULT_FILE_DIR). Items are JWEs that aws-vault reads too (the default), or OpenPGP messages
 * that gpg reads (AWS_VAULT_FILE_FORMAT=openpgp); each file's format is detected when it is read.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { decodeKeyringItemJson, encodeKeyringItemJson, ItemNotFoundError, KeyringItemJsonError, VaultError } from '@awsvault/core';
import type { Backend, BackendContext, DebugLogger, Item, ItemMetadata } from '@awsvault/core';
import { decodeFileName, encodeFileName, invalidKeyReason, isTempFileName, TEMP_FILE_PREFIX } from './fileName.js';
import { resolveFileWriteSettings } from './fileSettings.js';
import type { FileFormat } from './fileSettings.js';
import { DEFAULT_P2C, JweError, base64UrlEncode, decryptJwe, deriveKek, encryptJwe } from './jwe.js';
import type { KekDeriver } from './jwe.js';
import { OpenPgpError, argon2MemoryExponent, checkS2kCountByte, decryptOpenPgp, detectItemFormat, encryptOpenPgp } from './openpgpFormat.js';
import type { OpenPgpKdf } from './openpgpFormat.js';

/** Environment variable naming the directory. @public */
export const FILE_DIR_ENV = 'AWS_VAULT_FILE_DIR';
/** Environment variable holding the passphrase (used even when empty). @public */
export const FILE_PASSPHRASE_ENV = 'AWS_VAULT_FILE_PASSPHRASE';

/** Abandoned temp files (from a killed writer) older than this are removed on the next write. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** Derived keys kept per instance. */
const KEK_CACHE_LIMIT = 64;

/** @public */
export interface FileBackendOptions {
  /** Absolute directory holding one file per item. */
  dir: string;
  /** Supplies the passphrase; called at most once per instance, and only when a file must be opened or written. */
  passphrase: () => Promise<string>;
  /** Where the passphrase comes from, for error hints. Default `prompt`. */
  passphraseSource?: 'env' | 'prompt';
  debug?: DebugLogger;
  /** The format of files this instance writes: `jwe` (default) or `openpgp`. Reads detect each file's format. */
  format?: FileFormat;
  /** JWE writes: PBKDF2 iterations; default 8192 (aws-vault's). */
  p2c?: number;
  /** OpenPGP writes: the S2K, `iterated` (default, readable by gpg) or `argon2` (RFC 9580, not readable by gpg). */
  kdf?: OpenPgpKdf;
  /** OpenPGP writes with `iterated`: the S2K count byte, 0–255; default 224 (16 MiB hashed). */
  s2kCountByte?: number;
  /** OpenPGP writes with `argon2`: memory in MiB, a power of two from 1 to 1024; default 64. */
  argon2MemoryMiB?: number;
  /** Clock for the informational `created` header member. */
  now?: () => Date;
}

/** The directory for a context: AWS_VAULT_FILE_DIR (leading `~/` expanded) else `<home>/.awsvault/keys`. @public */
export function resolveFileDir(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const configured = env[FILE_DIR_ENV];
  if (configured === undefined || configured === '') return join(homeDir, '.awsvault', 'keys');
  let dir = configured;
  if (dir === '~') dir = homeDir;
  else if (dir.startsWith('~/')) dir = join(homeDir, dir.slice(2));
  return isAbsolute(dir) ? dir : resolve(dir);
}

const errnoCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;

const isMissing = (error: unknown): boolean => {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
};

function ioError(action: string, path: string, cause: unknown): VaultError {
  const detail = errnoCode(cause) ?? (cause instanceof Error ? cause.message : String(cause));
  return new VaultError('FILE_IO_ERROR', `cannot ${action} ${path}: ${detail}`, { cause });
}

/** An encrypted-file store in aws-vault's layout. @public */
export class FileBackend implements Backend {
  readonly name = 'file';
  readonly dir: string;
  readonly #options: FileBackendOptions;
  readonly #debug: DebugLogger;
  #passphrase: Promise<string> | undefined;
  /** Settles once this instance's passphrase is known to open an item in the directory (or there is none). */
  #verified: Promise<void> | undefined;
  readonly #kekCache = new Map<string, Promise<Uint8Array>>();
  readonly #deriveKek: KekDeriver;

  constructor(options: FileBackendOptions) {
    if (options.format !== undefined && options.format !== 'jwe' && options.format !== 'openpgp') throw new RangeError(`unknown file format ${JSON.stringify(options.format)}`);
    if (options.kdf !== undefined && options.kdf !== 'iterated' && options.kdf !== 'argon2') throw new RangeError(`unknown OpenPGP KDF ${JSON.stringify(options.kdf)}`);
    if (options.s2kCountByte !== undefined) checkS2kCountByte(options.s2kCountByte);
    if (options.argon2MemoryMiB !== undefined) argon2MemoryExponent(options.argon2MemoryMiB);
    this.#options = options;
    this.dir = options.dir;
    this.#debug = options.debug ?? (() => {});
    this.#deriveKek = (passphrase, p2s, p2c) => {
      // One passphrase per instance, so (p2s, p2c) identifies the derivation.
      const cacheKey = `${p2c}:${base64UrlEncode(p2s)}`;
      let kek = this.#kekCache.get(cacheKey);
      if (kek === undefined) {
        kek = deriveKek(passphrase, p2s, p2c);
        kek.catch(() => this.#kekCache.delete(cacheKey));
        if (this.#kekCache.size >= KEK_CACHE_LIMIT) {
          const oldest = this.#kekCache.keys().next();
          if (!oldest.done) this.#kekCache.delete(oldest.value);
        }
        this.#kekCache.set(cacheKey, kek);
      }
      return kek;
    };
  }

  /** The format this instance writes new items in. @public */
  get format(): FileFormat {
    return this.#options.format ?? 'jwe';
  }

  /** The file that holds `key`. @public */
  pathFor(key: string): string {
    return join(this.dir, encodeFileName(key));
  }

  async get(key: string): Promise<Item> {
    if (invalidKeyReason(key) !== undefined) throw new ItemNotFoundError(key, this.dir);
    const path = this.pathFor(key);
    let content: Buffer;
    try {
      content = await readFile(path);
    } catch (error) {
      if (isMissing(error)) throw new ItemNotFoundError(key, this.dir);
      throw ioError('read', path, error);
    }
    const passphrase = await this.#getPassphrase();
    const plaintext = await this.#decrypt(path, content, passphrase);
    this.#verified ??= Promise.resolve();
    let stored;
    try {
      stored = decodeKeyringItemJson(plaintext, 'the decrypted content');
    } catch (error) {
      throw this.#corrupt(path, error instanceof KeyringItemJsonError ? error.message : 'the item JSON is invalid', error);
    }
    if (stored.key !== '' && stored.key !== key) this.#debug(`file backend: ${path} holds an item whose Key field differs from its file name`);
    const item: Item = { key, data: stored.data };
    if (stored.label !== '') item.label = stored.label;
    if (stored.description !== '') item.description = stored.description;
    return item;
  }

  async set(item: Item): Promise<void> {
    const reason = invalidKeyReason(item.key);
    if (reason !== undefined) throw new VaultError('FILE_INVALID_KEY', `cannot store item ${JSON.stringify(item.key)} in ${this.dir}: ${reason}`);
    const path = this.pathFor(item.key);
    const passphrase = await this.#getPassphrase();
    await this.#ensureVerified(path, passphrase);
    await this.#ensureDir();
    const json = encodeKeyringItemJson(item);
    const content =
      this.format === 'openpgp'
        ? await encryptOpenPgp(json, passphrase, {
            kdf: this.#options.kdf ?? 'iterated',
            ...(this.#options.s2kCountByte === undefined ? {} : { s2kCountByte: this.#options.s2kCountByte }),
            ...(this.#options.argon2MemoryMiB === undefined ? {} : { argon2MemoryMiB: this.#options.argon2MemoryMiB }),
          })
        : await encryptJwe(json, passphrase, {
            p2c: this.#options.p2c ?? DEFAULT_P2C,
            created: (this.#options.now ?? (() => new Date()))(),
            deriveKek: this.#deriveKek,
          });
    await this.#writeAtomically(path, content);
  }

  async remove(key: string): Promise<void> {
    if (invalidKeyReason(key) !== undefined) throw new ItemNotFoundError(key, this.dir);
    const path = this.pathFor(key);
    try {
      await unlink(path);
    } catch (error) {
      if (isMissing(error)) throw new ItemNotFoundError(key, this.dir);
      throw ioError('remove', path, error);
    }
  }

  async keys(): Promise<string[]> {
    const entries = await this.#listEntries();
    return entries.map((entry) => decodeFileName(entry.name));
  }

  async getMetadata(key: string): Promise<ItemMetadata> {
    if (invalidKeyReason(key) !== undefined) throw new ItemNotFoundError(key, this.dir);
    const path = this.pathFor(key);
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw new ItemNotFoundError(key, this.dir);
      return { key, modificationTime: info.mtime };
    } catch (error) {
      if (isMissing(error)) throw new ItemNotFoundError(key, this.dir);
      if (error instanceof ItemNotFoundError) throw error;
      throw ioError('read', path, error);
    }
  }

  /** Item files (no directories, no temp files) in readdir order; `[]` when the directory is missing. */
  async #listEntries(): Promise<Dirent[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw ioError('list', this.dir, error);
    }
    return entries.filter((entry) => !entry.isDirectory() && !isTempFileName(entry.name));
  }

  #getPassphrase(): Promise<string> {
    this.#passphrase ??= this.#options.passphrase();
    return this.#passphrase;
  }

  /**
   * Decrypts a file in whichever format it is in. A wrong passphrase is `FILE_DECRYPT_FAILED`,
   * damage `FILE_ITEM_CORRUPT`, with the same messages for both formats. openpgp is imported only
   * here, and only for an OpenPGP file.
   */
  async #decrypt(path: string, content: Buffer, passphrase: string): Promise<Uint8Array> {
    try {
      if (detectItemFormat(content) === 'openpgp') return (await decryptOpenPgp(content, passphrase)).plaintext;
      return (await decryptJwe(content.toString('utf8'), passphrase, { deriveKek: this.#deriveKek })).plaintext;
    } catch (error) {
      if ((error instanceof JweError || error instanceof OpenPgpError) && error.kind === 'key') {
        throw new VaultError('FILE_DECRYPT_FAILED', `cannot decrypt ${path}: wrong passphrase (or the file was written with another one)`, {
          hint: this.#passphraseHint(),
          cause: error,
        });
      }
      if (error instanceof JweError || error instanceof OpenPgpError) throw this.#corrupt(path, error.message, error);
      throw error;
    }
  }

  #corrupt(path: string, detail: string, cause: unknown): VaultError {
    return new VaultError('FILE_ITEM_CORRUPT', `cannot read ${path}: the file is corrupt (${detail})`, {
      hint: 'restore the file from a backup, or remove it and add the item again',
      cause,
    });
  }

  #passphraseHint(): string {
    return this.#options.passphraseSource === 'env'
      ? `check ${FILE_PASSPHRASE_ENV}: every item in ${this.dir} must use the same passphrase`
      : `check the passphrase (or ${FILE_PASSPHRASE_ENV}): every item in ${this.dir} must use the same passphrase`;
  }

  /**
   * Before the first write, make sure this passphrase opens an item already in the directory, so one
   * directory never ends up with items under two passphrases. Corrupt files are skipped; if none
   * opens and at least one failed to unwrap, the write is refused.
   */
  #ensureVerified(target: string, passphrase: string): Promise<void> {
    if (this.#verified === undefined) {
      const attempt = this.#verifyExisting(target, passphrase);
      this.#verified = attempt;
      attempt.catch(() => {
        if (this.#verified === attempt) this.#verified = undefined;
      });
    }
    return this.#verified;
  }

  async #verifyExisting(target: string, passphrase: string): Promise<void> {
    const entries = await this.#listEntries();
    let refusedBy: string | undefined;
    // JWE files first: they are cheap to open and need no openpgp import, so a directory with any
    // JWE item is checked without loading openpgp. OpenPGP files are tried only if none opens.
    const openpgpFiles: Array<{ path: string; content: Buffer }> = [];
    const tryOpen = async (path: string, content: Buffer): Promise<boolean> => {
      try {
        await this.#decrypt(path, content, passphrase);
        return true;
      } catch (error) {
        if (!(error instanceof VaultError)) throw error;
        if (error.code === 'FILE_DECRYPT_FAILED') refusedBy ??= path;
        else if (error.code === 'FILE_ITEM_CORRUPT') this.#debug(`file backend: skipping corrupt ${path} while checking the passphrase: ${error.message}`);
        else throw error;
        return false;
      }
    };
    for (const entry of entries) {
      const path = join(this.dir, entry.name);
      let content: Buffer;
      try {
        content = await readFile(path);
      } catch (error) {
        if (isMissing(error)) continue;
        throw ioError('read', path, error);
      }
      if (detectItemFormat(content) === 'openpgp') openpgpFiles.push({ path, content });
      else if (await tryOpen(path, content)) return this.#removeStaleTempFiles();
    }
    for (const { path, content } of openpgpFiles) {
      if (await tryOpen(path, content)) return this.#removeStaleTempFiles();
    }
    if (refusedBy !== undefined) {
      throw new VaultError(
        'FILE_DECRYPT_FAILED',
        `refusing to write ${target}: the passphrase does not decrypt ${refusedBy} (wrong passphrase, or the directory uses another one)`,
        { hint: this.#passphraseHint() },
      );
    }
  }

  /** Best effort: temp files left behind by a killed writer, once they are clearly abandoned. */
  async #removeStaleTempFiles(): Promise<void> {
    try {
      const names = await readdir(this.dir);
      const cutoff = Date.now() - STALE_TEMP_MS;
      for (const name of names) {
        if (!isTempFileName(name)) continue;
        const path = join(this.dir, name);
        const info = await lstat(path).catch(() => undefined);
        if (info?.isFile() && info.mtimeMs < cutoff) {
          await rm(path, { force: true });
          this.#debug(`file backend: removed abandoned ${path}`);
        }
      }
    } catch {
      // Leftovers are invisible to keys(); failing to tidy them up is harmless.
    }
  }

  async #ensureDir(): Promise<void> {
    try {
      const created = await mkdir(this.dir, { recursive: true, mode: 0o700 });
      // mkdir's mode is filtered by the umask; make the new leaf exactly 0700. Never touch an existing dir.
      if (created !== undefined) await chmod(this.dir, 0o700);
    } catch (error) {
      throw ioError('create directory', this.dir, error);
    }
  }

  async #writeAtomically(path: string, content: string): Promise<void> {
    const temp = join(this.dir, `${TEMP_FILE_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.chmod(0o600);
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw ioError('write', path, error);
    }
    await this.#syncDir();
  }

  /** Makes the rename durable where the platform allows fsync on a directory. */
  async #syncDir(): Promise<void> {
    try {
      const handle = await open(this.dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // Not supported everywhere (Windows); the rename itself is still atomic.
    }
  }
}

/**
 * Opens the store for a CLI context: directory from env/home, passphrase from env or a prompt, and
 * the write format from AWS_VAULT_FILE_FORMAT, AWS_VAULT_FILE_KDF and AWS_VAULT_FILE_ARGON2_MEMORY
 * (an invalid value is a `FILE_INVALID_SETTING` error). `tuning` sets costs the environment does not
 * (the JWE `p2c`, the OpenPGP S2K count byte); tests use it to stay fast.
 * @public
 */
export async function openFileBackend(ctx: BackendContext, tuning: Pick<FileBackendOptions, 'p2c' | 's2kCountByte'> = {}): Promise<FileBackend> {
  const dir = resolveFileDir(ctx.env, ctx.homeDir);
  const settings = resolveFileWriteSettings(ctx.env);
  const fromEnv = ctx.env[FILE_PASSPHRASE_ENV];
  const writes = settings.format === 'jwe' ? 'JWE' : settings.kdf === 'argon2' ? `OpenPGP, Argon2 ${settings.argon2MemoryMiB} MiB` : 'OpenPGP, iterated S2K';
  ctx.debug(`file backend: directory ${dir}, passphrase ${fromEnv === undefined ? 'from a prompt when needed' : `from ${FILE_PASSPHRASE_ENV}`}, new items in ${writes}`);
  for (const note of settings.notes) ctx.debug(`file backend: ${note}`);
  return new FileBackend({
    ...tuning,
    dir,
    format: settings.format,
    kdf: settings.kdf,
    argon2MemoryMiB: settings.argon2MemoryMiB,
    debug: ctx.debug,
    passphraseSource: fromEnv === undefined ? 'prompt' : 'env',
    passphrase: fromEnv === undefined ? () => ctx.askPassphrase(`Enter passphrase to unlock "${dir}": `) : async () => fromEnv,
  });
}
