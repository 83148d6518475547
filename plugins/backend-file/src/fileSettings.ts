/**
 * The write settings of the `file` backend, from the environment: which format new items are
 * written in and, for OpenPGP, which KDF and how much Argon2 memory. Reads never depend on them.
 * Nothing here imports openpgp.
 */
import { VaultError } from '@awsvault/core';
import { DEFAULT_ARGON2_MEMORY_MIB, MAX_ARGON2_MEMORY_MIB, MIN_ARGON2_MEMORY_MIB } from './openpgpFormat.js';
import type { OpenPgpKdf } from './openpgpFormat.js';

/** `jwe` (default, aws-vault's format) or `openpgp`: the format of items written from now on. @public */
export const FILE_FORMAT_ENV = 'AWS_VAULT_FILE_FORMAT';
/** `iterated` (default) or `argon2`: the S2K of new OpenPGP items. @public */
export const FILE_KDF_ENV = 'AWS_VAULT_FILE_KDF';
/** Argon2 memory for new OpenPGP items, in MiB: a power of two from 1 to 1024, default 64. @public */
export const FILE_ARGON2_MEMORY_ENV = 'AWS_VAULT_FILE_ARGON2_MEMORY';

/** The format of a stored item. @public */
export type FileFormat = 'jwe' | 'openpgp';

/** @public */
export interface FileWriteSettings {
  format: FileFormat;
  kdf: OpenPgpKdf;
  argon2MemoryMiB: number;
  /** Lines for the debug log: settings that are set but have no effect. */
  notes: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

function choice<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  const match = allowed.find((option) => option === value);
  if (match === undefined) {
    throw new VaultError('FILE_INVALID_SETTING', `${name}=${shown(raw)} is not one of ${allowed.join(', ')}`, {
      hint: `set ${name} to ${allowed.join(' or ')}, or unset it for ${fallback}`,
    });
  }
  return match;
}

/**
 * Reads AWS_VAULT_FILE_FORMAT, AWS_VAULT_FILE_KDF and AWS_VAULT_FILE_ARGON2_MEMORY. Empty counts as
 * unset; values are matched case-insensitively (after trimming). A value that is not allowed is a `VaultError`
 * (`FILE_INVALID_SETTING`) naming the variable, even when it would have no effect.
 * @public
 */
export function resolveFileWriteSettings(env: Env): FileWriteSettings {
  const format = choice<FileFormat>(env, FILE_FORMAT_ENV, ['jwe', 'openpgp'], 'jwe');
  const kdf = choice<OpenPgpKdf>(env, FILE_KDF_ENV, ['iterated', 'argon2'], 'iterated');
  let argon2MemoryMiB = DEFAULT_ARGON2_MEMORY_MIB;
  const rawMemory = env[FILE_ARGON2_MEMORY_ENV];
  if (rawMemory !== undefined && rawMemory !== '') {
    const value = /^\s*\d{1,5}\s*$/.test(rawMemory) ? Number(rawMemory) : Number.NaN;
    if (!(value >= MIN_ARGON2_MEMORY_MIB && value <= MAX_ARGON2_MEMORY_MIB && (value & (value - 1)) === 0)) {
      throw new VaultError(
        'FILE_INVALID_SETTING',
        `${FILE_ARGON2_MEMORY_ENV}=${shown(rawMemory)} is not a power of two from ${MIN_ARGON2_MEMORY_MIB} to ${MAX_ARGON2_MEMORY_MIB} (MiB)`,
        { hint: `use a size in MiB such as 64 (the default), 128 or 256` },
      );
    }
    argon2MemoryMiB = value;
  }
  const notes: string[] = [];
  const isSet = (name: string) => env[name] !== undefined && env[name] !== '';
  if (format === 'jwe') {
    for (const name of [FILE_KDF_ENV, FILE_ARGON2_MEMORY_ENV]) if (isSet(name)) notes.push(`${name} has no effect unless ${FILE_FORMAT_ENV}=openpgp`);
  } else if (kdf === 'iterated' && isSet(FILE_ARGON2_MEMORY_ENV)) {
    notes.push(`${FILE_ARGON2_MEMORY_ENV} has no effect unless ${FILE_KDF_ENV}=argon2`);
  }
  return { format, kdf, argon2MemoryMiB, notes };
}
