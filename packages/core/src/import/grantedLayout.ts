/**
 * Where granted (fwdcloudsec/granted) keeps the IAM user keys of `granted credentials add/import`:
 * a 99designs keyring whose every name is `granted-aws-iam-credentials` (Secret Service collection,
 * pass prefix, keychain service, Credential Manager prefix), or, with the file backend, JWE files in
 * `<granted dir>/secure-storage-aws-iam-credentials` under the passphrase in
 * `CF_KEYRING_FILE_PASSWORD` (empty when unset). Each item is keyed by the profile name and holds the
 * JSON of the Go SDK's `aws.Credentials`, the same fields as aws-vault's master keys. The
 * `[Keyring]` table of `<granted dir>/config` (TOML) may choose the backend and move the stores.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { VaultError } from '../errors.js';

/** granted's keyring name for IAM user keys. @public */
export const GRANTED_IAM_STORE_NAME = 'granted-aws-iam-credentials';
/** The variable granted reads the file backend's passphrase from. @public */
export const GRANTED_FILE_PASSWORD_ENV = 'CF_KEYRING_FILE_PASSWORD';

/** The `[Keyring]` settings of granted's config that move its stores. @public */
export interface GrantedKeyringConfig {
  backend?: string;
  keychainName?: string;
  fileDir?: string;
  libSecretCollectionName?: string;
  passDir?: string;
}

/** Where granted's stores are, resolved. @public */
export interface GrantedStore {
  /** granted's config directory. */
  folder: string;
  /** The backend granted's config names, if any. */
  backend: string | undefined;
  fileDir: string;
  passDir: string | undefined;
  passPrefix: string;
  collection: string;
  keychainName: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function expandTilde(path: string, home: string): string {
  const expanded = path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}

/** `~/.granted`, or `$XDG_CONFIG_HOME/granted` when `~/.granted` does not exist and XDG_CONFIG_HOME is set (granted's rule). @public */
export function grantedFolder(env: Env, home: string, exists: (path: string) => boolean = existsSync): string {
  const dotted = join(home, '.granted');
  const xdg = env['XDG_CONFIG_HOME'];
  if (!exists(dotted) && xdg) return join(xdg, 'granted');
  return dotted;
}

const FIELDS: Record<string, keyof GrantedKeyringConfig> = {
  backend: 'backend',
  keychainname: 'keychainName',
  filedir: 'fileDir',
  libsecretcollectionname: 'libSecretCollectionName',
  passdir: 'passDir',
};

/** A TOML basic ("…") or literal ('…') string, as granted's config holds them; undefined for anything else. */
function tomlString(raw: string): string | undefined {
  const literal = /^'([^']*)'\s*(?:#.*)?$/.exec(raw);
  if (literal) return literal[1];
  const basic = /^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(raw);
  if (!basic) return undefined;
  return (basic[1] ?? '').replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, escape: string) => {
    if (escape[0] === 'u' || escape[0] === 'U') return String.fromCodePoint(parseInt(escape.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\' } as Record<string, string>)[escape] ?? escape;
  });
}

/**
 * The string keys of the `[Keyring]` table of granted's TOML config (matched case-insensitively, as
 * granted's decoder does). Other tables and keys are ignored; a missing file is an empty config.
 * @public
 */
export function parseGrantedKeyringConfig(text: string): GrantedKeyringConfig {
  const config: GrantedKeyringConfig = {};
  let inKeyring = false;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const table = /^\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$/.exec(line);
    if (table) {
      inKeyring = (table[1] ?? '').replace(/^"|"$/g, '').toLowerCase() === 'keyring';
      continue;
    }
    if (!inKeyring) continue;
    const pair = /^("?)([A-Za-z0-9_-]+)\1\s*=\s*(.*)$/.exec(line);
    const field = pair ? FIELDS[(pair[2] ?? '').toLowerCase()] : undefined;
    if (!pair || !field) continue;
    const value = tomlString(pair[3] ?? '');
    if (value !== undefined) config[field] = value;
  }
  return config;
}

/** Reads `<folder>/config`; unreadable for another reason than absence is an error naming it. @public */
export function readGrantedKeyringConfig(folder: string): GrantedKeyringConfig {
  const path = join(folder, 'config');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new VaultError('IMPORT_SOURCE_UNREADABLE', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseGrantedKeyringConfig(text);
}

/** granted's store for IAM user keys on this machine: its defaults, moved by its config. @public */
export function grantedStore(env: Env, home: string, exists?: (path: string) => boolean): GrantedStore {
  const folder = grantedFolder(env, home, exists);
  const config = readGrantedKeyringConfig(folder);
  return {
    folder,
    backend: config.backend || undefined,
    fileDir: config.fileDir ? expandTilde(config.fileDir, home) : join(folder, `secure-storage-aws-iam-credentials`),
    passDir: config.passDir ? expandTilde(config.passDir, home) : undefined,
    passPrefix: GRANTED_IAM_STORE_NAME,
    collection: config.libSecretCollectionName || GRANTED_IAM_STORE_NAME,
    keychainName: config.keychainName || 'login',
  };
}
