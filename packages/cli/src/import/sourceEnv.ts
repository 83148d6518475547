import { GRANTED_FILE_PASSWORD_ENV, GRANTED_IAM_STORE_NAME, KEYRING_SERVICE_ENV, type GrantedStore } from '@awsvault/core';

type Env = Readonly<Record<string, string | undefined>>;

/** The `--source-*` flags and the variables the backends read them from. */
export const SOURCE_FLAG_ENV = {
  'source-file-dir': 'AWS_VAULT_FILE_DIR',
  'source-pass-dir': 'AWS_VAULT_PASS_PASSWORD_STORE_DIR',
  'source-pass-cmd': 'AWS_VAULT_PASS_CMD',
  'source-pass-prefix': 'AWS_VAULT_PASS_PREFIX',
  'source-secret-service-collection': 'AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME',
  'source-keychain': 'AWS_VAULT_KEYCHAIN_NAME',
} as const;

/** The passphrase of a source file store, when it differs from vault's own. */
export const SOURCE_PASSPHRASE_ENV = 'VAULT_SOURCE_FILE_PASSPHRASE';

export type SourceFlags = { -readonly [K in keyof typeof SOURCE_FLAG_ENV]?: string | undefined };

const PASSPHRASE_ENV = 'AWS_VAULT_FILE_PASSPHRASE';

function applyFlags(env: Record<string, string | undefined>, flags: SourceFlags): Record<string, string | undefined> {
  for (const [flag, variable] of Object.entries(SOURCE_FLAG_ENV)) {
    const value = flags[flag as keyof SourceFlags];
    if (value) env[variable] = value;
  }
  return env;
}

/**
 * The settings an aws-vault store is opened with: aws-vault reads the same variables as vault, so
 * the environment (not vault's own `--file-dir`… flags) describes it; `--source-*` flags move it.
 * The file passphrase is `VAULT_SOURCE_FILE_PASSPHRASE`, else `AWS_VAULT_FILE_PASSPHRASE`, else asked.
 */
export function awsVaultSourceEnv(env: Env, flags: SourceFlags): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  const passphrase = env[SOURCE_PASSPHRASE_ENV];
  if (passphrase !== undefined) out[PASSPHRASE_ENV] = passphrase;
  return applyFlags(out, flags);
}

/**
 * The settings granted's store for IAM keys is opened with: none of vault's own store settings, then
 * granted's names and directories, then `--source-*` flags. granted's file passphrase is
 * `CF_KEYRING_FILE_PASSWORD`, empty when unset (as granted itself uses it).
 */
export function grantedSourceEnv(env: Env, store: GrantedStore, flags: SourceFlags): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) if (!name.startsWith('AWS_VAULT_') && name !== KEYRING_SERVICE_ENV) out[name] = value;
  out['AWS_VAULT_FILE_DIR'] = store.fileDir;
  out[PASSPHRASE_ENV] = env[SOURCE_PASSPHRASE_ENV] ?? env[GRANTED_FILE_PASSWORD_ENV] ?? '';
  if (store.passDir !== undefined) out['AWS_VAULT_PASS_PASSWORD_STORE_DIR'] = store.passDir;
  out['AWS_VAULT_PASS_PREFIX'] = store.passPrefix;
  out['AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME'] = store.collection;
  out['AWS_VAULT_KEYCHAIN_NAME'] = store.keychainName;
  // The keychain's service attribute and the Credential Manager's target prefix.
  out[KEYRING_SERVICE_ENV] = GRANTED_IAM_STORE_NAME;
  return applyFlags(out, flags);
}
