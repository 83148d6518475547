import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeAccessKeyId } from '../testing/fakeAccessKeyId.js';
import { memoryBackend } from '../testing/memoryBackend.js';
import { readBackendKeys } from './readBackendKeys.js';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
/** The Go SDK's aws.Credentials as granted marshals it. */
const goCredentials = (id: string, secret: string, token = '') => ({
  AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Source: '', CanExpire: false, Expires: '0001-01-01T00:00:00Z', AccountID: '',
});

describe('readBackendKeys', () => {
  const source = () =>
    memoryBackend([
      { key: 'dev', data: bytes(goCredentials(fakeAccessKeyId('dev'), 'dev-secret')) },
      { key: 'tmp', data: bytes(goCredentials(fakeAccessKeyId('tmp'), 's', 'token')) },
      { key: 'bad', data: new TextEncoder().encode('not json') },
    ]);

  it('reads IAM keys, sets temporary credentials apart, and names a broken item', async () => {
    await assert.rejects(readBackendKeys(source(), 'granted store'), { code: 'IMPORT_SOURCE_CORRUPT', message: 'profile bad in granted store: the item is not IAM credentials JSON' });
    const some = await readBackendKeys(source(), 'granted store', ['dev', 'tmp']);
    assert.deepEqual(some, { keys: [{ profile: 'dev', credentials: { accessKeyId: fakeAccessKeyId('dev'), secretAccessKey: 'dev-secret' } }], temporary: ['tmp'] });
  });

  it('a profile the store lacks is an error naming it', async () => {
    await assert.rejects(readBackendKeys(source(), 'granted store', ['nope']), { code: 'IMPORT_PROFILE_NOT_FOUND', message: 'profile nope not found in granted store' });
  });
});
