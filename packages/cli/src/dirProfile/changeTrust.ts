import { resolve } from 'node:path';
import { VaultError } from '@awsvault/core';
import { DIR_PROFILE_FILE, findDirProfile, type DirProfileFile } from './findDirProfile.js';
import { readTrustList, sha256Hex, trustFilePath, writeTrustList, type TrustList } from './trustStore.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `vault allow` / `vault deny`: adds (with the sha256 of its content now) or removes the nearest
 * `.vault-profile` at or above `dir` in the trust list. Resolves the file and its profile.
 */
export function changeTrust(action: 'allow' | 'deny', dir: string, env: Env): { file: string; profile: string | undefined } {
  const start = resolve(dir);
  const found = findDirProfile(start, env['HOME'] || env['USERPROFILE']);
  const listPath = trustFilePath(env);
  if (action === 'allow') {
    const file = requireFile(found, start);
    if (file.profile === undefined) {
      throw new VaultError('DIR_PROFILE_INVALID', `${file.file}: the first line is not a profile name`, { hint: 'write the profile name on the first line' });
    }
    const list = readList(listPath);
    list.files[file.file] = sha256Hex(file.content);
    writeTrustList(listPath, list);
    return { file: file.file, profile: file.profile };
  }
  // deny also works once the file is gone: forget it by the path it had
  const path = found?.file ?? resolve(start, DIR_PROFILE_FILE);
  const list = readList(listPath);
  if (!(path in list.files)) {
    requireFile(found, start);
    return { file: path, profile: found?.profile };
  }
  delete list.files[path];
  writeTrustList(listPath, list);
  return { file: path, profile: found?.profile };
}

function requireFile(found: DirProfileFile | undefined, start: string): DirProfileFile {
  if (!found) {
    throw new VaultError('DIR_PROFILE_NOT_FOUND', `no ${DIR_PROFILE_FILE} in ${start} or the directories above it`, { hint: `write the profile name into ${resolve(start, DIR_PROFILE_FILE)}` });
  }
  return found;
}

function readList(listPath: string): TrustList {
  try {
    return readTrustList(listPath);
  } catch (error) {
    throw new VaultError('TRUST_LIST_INVALID', (error as Error).message, { hint: `fix or remove ${listPath}; nothing is trusted until then` });
  }
}
