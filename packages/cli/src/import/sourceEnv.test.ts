import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GrantedStore } from '@awsvault/core';
import { awsVaultSourceEnv, grantedSourceEnv } from './sourceEnv.js';

const granted: GrantedStore = {
  folder: '/h/.granted',
  backend: undefined,
  fileDir: '/h/.granted/secure-storage-aws-iam-credentials',
  passDir: undefined,
  passPrefix: 'granted-aws-iam-credentials',
  collection: 'granted-aws-iam-credentials',
  keychainName: 'login',
};

describe('awsVaultSourceEnv', () => {
  it('keeps the environment aws-vault shares, applies --source-* flags and the source passphrase', () => {
    const env = { HOME: '/h', AWS_VAULT_FILE_DIR: '/a', AWS_VAULT_FILE_PASSPHRASE: 'vault-pw' };
    assert.deepEqual(awsVaultSourceEnv(env, {}), env);
    assert.deepEqual(awsVaultSourceEnv({ ...env, VAULT_SOURCE_FILE_PASSPHRASE: 'old-pw' }, { 'source-file-dir': '/old', 'source-pass-prefix': 'p' }), {
      ...env,
      VAULT_SOURCE_FILE_PASSPHRASE: 'old-pw',
      AWS_VAULT_FILE_PASSPHRASE: 'old-pw',
      AWS_VAULT_FILE_DIR: '/old',
      AWS_VAULT_PASS_PREFIX: 'p',
    });
  });
});

describe('grantedSourceEnv', () => {
  it("drops vault's store settings and uses granted's names, CF_KEYRING_FILE_PASSWORD (empty when unset)", () => {
    const env = { HOME: '/h', AWS_VAULT_FILE_DIR: '/mine', AWS_VAULT_PASS_PASSWORD_STORE_DIR: '/mine-pass', AWS_VAULT_FILE_PASSPHRASE: 'vault-pw', VAULT_KEYRING_SERVICE: 'mine' };
    assert.deepEqual(grantedSourceEnv(env, granted, {}), {
      HOME: '/h',
      AWS_VAULT_FILE_DIR: granted.fileDir,
      AWS_VAULT_FILE_PASSPHRASE: '',
      AWS_VAULT_PASS_PREFIX: 'granted-aws-iam-credentials',
      AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME: 'granted-aws-iam-credentials',
      AWS_VAULT_KEYCHAIN_NAME: 'login',
      VAULT_KEYRING_SERVICE: 'granted-aws-iam-credentials',
    });
    const withPass = grantedSourceEnv({ ...env, CF_KEYRING_FILE_PASSWORD: 'g' }, { ...granted, passDir: '/gp' }, { 'source-secret-service-collection': 'c' });
    assert.equal(withPass['AWS_VAULT_FILE_PASSPHRASE'], 'g');
    assert.equal(withPass['AWS_VAULT_PASS_PASSWORD_STORE_DIR'], '/gp');
    assert.equal(withPass['AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME'], 'c');
  });
});
