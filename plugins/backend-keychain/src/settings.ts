/**
 * Where the keychain is, from the environment (aws-vault's variable), and whether the backend can
 * work on this machine at all. No process is started here.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { VaultError } from '@awsvault/core';
import { SECURITY_TOOL } from './securityTool.js';

/** The keychain's name (aws-vault's `--keychain`). @public */
export const KEYCHAIN_NAME_ENV = 'AWS_VAULT_KEYCHAIN_NAME';
/** aws-vault's default keychain name. @public */
export const DEFAULT_KEYCHAIN_NAME = 'aws-vault';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The keychain name: `AWS_VAULT_KEYCHAIN_NAME` when set and not empty, else `aws-vault`. Throws
 * `KEYCHAIN_INVALID_SETTING` for a name with `/`, a NUL or a line break (it must name a file in
 * `~/Library/Keychains`).
 * @public
 */
export function resolveKeychainName(env: Env): string {
  const configured = env[KEYCHAIN_NAME_ENV];
  if (configured === undefined || configured === '') return DEFAULT_KEYCHAIN_NAME;
  if (/[/\0\r\n]/.test(configured) || configured === '.' || configured === '..') {
    throw new VaultError('KEYCHAIN_INVALID_SETTING', `${KEYCHAIN_NAME_ENV}="${configured.replace(/[\0\r\n]/g, '?')}" is not a keychain name`, {
      hint: `set ${KEYCHAIN_NAME_ENV} (or --keychain) to a plain name such as aws-vault; the keychain is ~/Library/Keychains/<name>.keychain-db`,
    });
  }
  return configured;
}

/** `<home>/Library/Keychains/<name>.keychain-db`, the file macOS keeps a keychain called `<name>` in. @public */
export function keychainPath(homeDir: string, name: string): string {
  return join(homeDir, 'Library', 'Keychains', `${name}.keychain-db`);
}

/** Why the backend cannot work here, or undefined when it can. @public */
export async function keychainUnavailableReason(
  platform: NodeJS.Platform = process.platform,
  securityTool: string = SECURITY_TOOL,
): Promise<{ reason: string; hint: string } | undefined> {
  if (platform !== 'darwin') {
    return {
      reason: `the macOS keychain exists only on macOS (this is ${platform})`,
      hint: 'choose another backend with --backend or AWS_VAULT_BACKEND, e.g. file',
    };
  }
  try {
    await access(securityTool, constants.X_OK);
  } catch {
    return { reason: `${securityTool} is missing or not executable`, hint: 'the backend runs Apple\'s security tool; choose another backend, e.g. file' };
  }
  return undefined;
}

/** The cheap check automatic selection uses: macOS with /usr/bin/security. Never throws. @public */
export async function isKeychainAvailable(platform: NodeJS.Platform = process.platform, securityTool: string = SECURITY_TOOL): Promise<boolean> {
  return (await keychainUnavailableReason(platform, securityTool)) === undefined;
}
