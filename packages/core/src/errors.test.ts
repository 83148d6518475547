import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackendUnavailableError, isItemNotFound, isVaultError, ItemNotFoundError, VaultError } from './errors.js';

describe('VaultError: the one error family, matched by code', () => {
  it('carries code, message, hint, exit code (default 1) and cause', () => {
    const cause = new Error('root');
    const error = new VaultError('CONFIG_SYNTAX', '/x:3: bad', { hint: 'fix it', exitCode: 2, cause });
    assert.equal(error.name, 'VaultError');
    assert.equal(error.code, 'CONFIG_SYNTAX');
    assert.equal(error.message, '/x:3: bad');
    assert.equal(error.hint, 'fix it');
    assert.equal(error.exitCode, 2);
    assert.equal(error.cause, cause);
    assert.ok(error instanceof Error);
  });

  it('has no hint and no cause unless given', () => {
    const error = new VaultError('X', 'm');
    assert.equal(error.hint, undefined);
    assert.equal(error.exitCode, 1);
    assert.equal('cause' in error, false);
  });

  it('names a missing item with ITEM_NOT_FOUND, the key and where', () => {
    const error = new ItemNotFoundError('jonsmith', 'file backend');
    assert.equal(error.code, 'ITEM_NOT_FOUND');
    assert.equal(error.key, 'jonsmith');
    assert.equal(error.message, 'item "jonsmith" not found in file backend');
    assert.equal(new ItemNotFoundError('k').message, 'item "k" not found');
    assert.ok(isItemNotFound(error));
  });

  it('reports an unavailable backend with BACKEND_UNAVAILABLE', () => {
    const error = new BackendUnavailableError('pass', 'the pass program is not available', 'install pass');
    assert.equal(error.code, 'BACKEND_UNAVAILABLE');
    assert.equal(error.message, 'backend pass is not available: the pass program is not available');
    assert.equal(error.hint, 'install pass');
    assert.equal(new BackendUnavailableError('x', 'y').hint, undefined);
    assert.equal(isItemNotFound(error), false);
  });
});

describe('isVaultError / isItemNotFound: structural, so another copy of core is recognised', () => {
  it('accepts an error from another copy of the package', () => {
    const foreign = { name: 'ItemNotFoundError', code: 'ITEM_NOT_FOUND', message: 'item "x" not found', exitCode: 1 };
    assert.ok(isVaultError(foreign));
    assert.ok(isItemNotFound(foreign));
  });

  it('rejects Node system errors and SDK errors, which have a code but no exitCode', () => {
    assert.equal(isVaultError(Object.assign(new Error('nope'), { code: 'ENOENT' })), false);
    assert.equal(isVaultError({ name: 'InvalidClientTokenId', code: 'InvalidClientTokenId', message: 'm', $metadata: {} }), false);
    assert.equal(isItemNotFound(Object.assign(new Error('nope'), { code: 'ITEM_NOT_FOUND' })), false);
  });

  it('rejects non-objects and objects missing a field', () => {
    for (const value of [null, undefined, 'ITEM_NOT_FOUND', 42, {}, { code: 1, message: 'm', name: 'VaultError', exitCode: 1 }, { code: 'X', name: 'Thing', message: 'm', exitCode: 1 }]) {
      assert.equal(isVaultError(value), false, JSON.stringify(value));
    }
  });
});
