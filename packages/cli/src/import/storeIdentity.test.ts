import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeIdentity } from './storeIdentity.js';

describe('storeIdentity', () => {
  it('file: the default directory and AWS_VAULT_FILE_DIR with ~ name the same store when they agree', () => {
    assert.equal(storeIdentity('file', {}, '/nohome').id, storeIdentity('file', { AWS_VAULT_FILE_DIR: '~/.awsvault/keys' }, '/nohome').id);
    assert.notEqual(storeIdentity('file', {}, '/nohome').id, storeIdentity('file', { AWS_VAULT_FILE_DIR: '/other' }, '/nohome').id);
    assert.equal(storeIdentity('file', {}, '/nohome').description, 'file store /nohome/.awsvault/keys');
  });

  it('pass: directory and prefix, with empty and dot segments ignored', () => {
    const a = storeIdentity('pass', { PASSWORD_STORE_DIR: '/s', AWS_VAULT_PASS_PREFIX: 'aws-vault/' }, '/h');
    const b = storeIdentity('pass', { AWS_VAULT_PASS_PASSWORD_STORE_DIR: '/s', AWS_VAULT_PASS_PREFIX: './aws-vault' }, '/h');
    assert.equal(a.id, b.id);
    assert.notEqual(a.id, storeIdentity('pass', { PASSWORD_STORE_DIR: '/s' }, '/h').id);
  });

  it('secret-service, keychain, wincred and unknown backends', () => {
    assert.equal(storeIdentity('secret-service', {}, '/h').id, storeIdentity('secret-service', { AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME: 'awsvault' }, '/h').id);
    assert.notEqual(storeIdentity('secret-service', {}, '/h').id, storeIdentity('secret-service', { AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME: 'login' }, '/h').id);
    assert.equal(storeIdentity('keychain', {}, '/h').id, 'keychain:aws-vault//aws-vault');
    assert.equal(storeIdentity('wincred', {}, '/h').id, 'wincred:aws-vault');
    const granted = { AWS_VAULT_KEYCHAIN_NAME: 'login', VAULT_KEYRING_SERVICE: 'granted-aws-iam-credentials' };
    assert.deepEqual(storeIdentity('keychain', granted, '/h'), { id: 'keychain:login//granted-aws-iam-credentials', description: 'keychain login (service granted-aws-iam-credentials)' });
    assert.notEqual(storeIdentity('wincred', granted, '/h').id, storeIdentity('wincred', {}, '/h').id);
    const other = (env: Record<string, string>) => storeIdentity('vaultwarden', env, '/h').id;
    assert.equal(other({ AWS_VAULT_X: '1', AWS_VAULT_FILE_PASSPHRASE: 'a' }), other({ AWS_VAULT_X: '1', AWS_VAULT_FILE_PASSPHRASE: 'b' }));
    assert.notEqual(other({ AWS_VAULT_X: '1' }), other({ AWS_VAULT_X: '2' }));
  });
});
