import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVaultError } from '../errors.js';
import { DEFAULT_KEYRING_SERVICE, keyringServiceName } from './keyringService.js';

describe('keyringServiceName', () => {
  it('is aws-vault unless VAULT_KEYRING_SERVICE names another', () => {
    assert.equal(DEFAULT_KEYRING_SERVICE, 'aws-vault');
    assert.equal(keyringServiceName({}), 'aws-vault');
    assert.equal(keyringServiceName({ VAULT_KEYRING_SERVICE: '' }), 'aws-vault');
    assert.equal(keyringServiceName({ VAULT_KEYRING_SERVICE: 'granted-aws-iam-credentials' }), 'granted-aws-iam-credentials');
  });

  it('refuses a name with a control character, in one line', () => {
    assert.throws(
      () => keyringServiceName({ VAULT_KEYRING_SERVICE: 'a\nb' }),
      (error: unknown) => isVaultError(error) && error.code === 'KEYRING_SERVICE_INVALID' && !error.message.includes('\n'),
    );
  });
});
