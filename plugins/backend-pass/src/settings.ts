/**
 * Where the pass store is and how to run pass, from the environment (aws-vault's variable names),
 * plus the checks that decide whether the backend is usable at all. No pass process is started here.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { parseGoDuration, VaultError } from '@awsvault/core';
import { prefixSegments } from './entryName.js';

/** Store directory; falls back to `PASSWORD_STORE_DIR`, then `~/.password-store`. @public */
export const PASS_DIR_ENV = 'AWS_VAULT_PASS_PASSWORD_STORE_DIR';
/** The pass executable (a name looked up on PATH, or a path); default `pass`. @public */
export const PASS_CMD_ENV = 'AWS_VAULT_PASS_CMD';
/** Sub-directory of the store that holds vault's entries; default none. @public */
export const PASS_PREFIX_ENV = 'AWS_VAULT_PASS_PREFIX';
/** vault only: how long one pass call may take, as a Go duration (`90s`, `2m`); default 60s. @public */
export const PASS_TIMEOUT_ENV = 'AWS_VAULT_PASS_TIMEOUT';
/** Default limit on one pass call, so a pinentry nobody answers cannot hang vault. @public */
export const DEFAULT_PASS_TIMEOUT_MS = 60_000;

type Env = Readonly<Record<string, string | undefined>>;

/** The settings a context resolves to. @public */
export interface PassSettings {
  /** Absolute store directory (`PASSWORD_STORE_DIR` for pass). */
  storeDir: string;
  /** The executable as configured (`pass` or the value of AWS_VAULT_PASS_CMD). */
  command: string;
  /** True when the command came from AWS_VAULT_PASS_CMD. */
  commandFromEnv: boolean;
  /** Prefix segments, cleaned (no empty, `.` or `..` segments). */
  prefix: string[];
  /** Limit on one pass call, in ms. */
  timeoutMs: number;
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/** `~` and `~/…` expanded with `homeDir`; relative paths resolved against the working directory. */
function expandDir(dir: string, homeDir: string): string {
  let out = dir;
  if (out === '~') out = homeDir;
  else if (out.startsWith('~/')) out = join(homeDir, out.slice(2));
  return isAbsolute(out) ? out : resolve(out);
}

/** The store directory: AWS_VAULT_PASS_PASSWORD_STORE_DIR, else PASSWORD_STORE_DIR, else `<home>/.password-store`. @public */
export function resolveStoreDir(env: Env, homeDir: string): string {
  const configured = nonEmpty(env[PASS_DIR_ENV]) ?? nonEmpty(env['PASSWORD_STORE_DIR']);
  return configured === undefined ? join(homeDir, '.password-store') : expandDir(configured, homeDir);
}

/**
 * Reads every setting. Throws a `VaultError` (`PASS_INVALID_SETTING`) for a prefix with `..` or a
 * timeout that is not a positive Go duration.
 * @public
 */
export function resolvePassSettings(env: Env, homeDir: string): PassSettings {
  const command = nonEmpty(env[PASS_CMD_ENV]);
  const rawPrefix = env[PASS_PREFIX_ENV] ?? '';
  let prefix: string[];
  try {
    prefix = prefixSegments(rawPrefix);
  } catch {
    throw new VaultError('PASS_INVALID_SETTING', `${PASS_PREFIX_ENV}="${rawPrefix}" leaves the password store (it has a ".." segment)`, {
      hint: `set ${PASS_PREFIX_ENV} to a sub-directory of the store, e.g. aws-vault`,
    });
  }
  let timeoutMs = DEFAULT_PASS_TIMEOUT_MS;
  const rawTimeout = nonEmpty(env[PASS_TIMEOUT_ENV]);
  if (rawTimeout !== undefined) {
    const parsed = parseGoDuration(rawTimeout);
    if (parsed === undefined || parsed <= 0) {
      throw new VaultError('PASS_INVALID_SETTING', `${PASS_TIMEOUT_ENV}="${rawTimeout}" is not a positive duration`, {
        hint: `use a Go duration such as 90s or 2m`,
      });
    }
    timeoutMs = parsed;
  }
  return { storeDir: resolveStoreDir(env, homeDir), command: command ?? 'pass', commandFromEnv: command !== undefined, prefix, timeoutMs };
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path of the executable: a command containing `/` is taken as a path, anything else
 * is looked up in the PATH of `env`. Undefined when nothing executable is found.
 * @public
 */
export async function findExecutable(command: string, env: Env): Promise<string | undefined> {
  if (command.includes('/')) {
    const path = resolve(command);
    return (await isExecutableFile(path)) ? path : undefined;
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = resolve(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * True when pass can pick recipients for vault's entries: PASSWORD_STORE_KEY is set, or a
 * `.gpg-id` file exists in the prefix directory or one of its parents up to the store directory
 * (where pass itself looks).
 * @public
 */
export async function isStoreInitialised(storeDir: string, prefix: readonly string[], env: Env = {}): Promise<boolean> {
  if (nonEmpty(env['PASSWORD_STORE_KEY']) !== undefined) return true;
  for (let depth = prefix.length; depth >= 0; depth--) {
    try {
      if ((await stat(join(storeDir, ...prefix.slice(0, depth), '.gpg-id'))).isFile()) return true;
    } catch {
      // keep looking further up
    }
  }
  return false;
}

/** Why the backend cannot be used, for `BackendUnavailableError`. @public */
export interface PassUnavailable {
  reason: string;
  hint: string;
}

/** The executable's absolute path, or why pass cannot be used with these settings. @public */
export async function checkPassUsable(settings: PassSettings, env: Env): Promise<{ executable: string } | PassUnavailable> {
  const executable = await findExecutable(settings.command, env);
  if (executable === undefined) {
    return settings.commandFromEnv
      ? {
          reason: `the pass command "${settings.command}" from ${PASS_CMD_ENV} was not found or is not executable`,
          hint: `fix ${PASS_CMD_ENV}, or unset it to use pass from PATH`,
        }
      : { reason: 'pass is not installed (no pass on PATH)', hint: `apt-get install pass (or your system's package), or set ${PASS_CMD_ENV}` };
  }
  if (!(await isStoreInitialised(settings.storeDir, settings.prefix, env))) {
    return {
      reason: `the password store ${settings.storeDir} is not initialised (no .gpg-id)`,
      hint: `run pass init <gpg-key-id> (with PASSWORD_STORE_DIR=${settings.storeDir})`,
    };
  }
  return { executable };
}

/**
 * The cheap check automatic selection uses: pass (or AWS_VAULT_PASS_CMD) is executable and the
 * store is initialised. Never throws; bad settings count as unavailable.
 * @public
 */
export async function isPassAvailable(ctx: { env: Env; homeDir: string }): Promise<boolean> {
  try {
    return 'executable' in (await checkPassUsable(resolvePassSettings(ctx.env, ctx.homeDir), ctx.env));
  } catch {
    return false;
  }
}
