import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVaultError } from '../errors.js';
import { memoryBackend } from '../testing/index.js';
import { CredentialStore, parseMasterCredentials } from './credentialStore.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

function assertCorrupt(fn: () => unknown, profile: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isVaultError(error));
    assert.equal(error.code, 'CREDENTIALS_CORRUPT');
    assert.ok(error.message.includes(`profile ${profile}`), error.message);
    assert.ok(error.hint?.includes(`vault add ${profile}`), String(error.hint));
    return true;
  });
}

describe('CredentialStore: long-term keys in aws-vault\'s item format', () => {
  it('writes aws-vault\'s JSON (AccessKeyID with a capital D) under the profile name, with its label', async () => {
    const backend = memoryBackend();
    await new CredentialStore(backend).set('jonsmith', { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret/+=' });
    const item = backend.items.get('jonsmith');
    assert.ok(item);
    assert.equal(
      text(item.data),
      '{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"secret/+=","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z","AccountID":""}',
    );
    assert.equal(item.label, 'aws-vault (jonsmith)');
    assert.equal(item.description, '');
  });

  it('never stores a session token or expiry given with the keys', async () => {
    const backend = memoryBackend();
    await new CredentialStore(backend).set('p', { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date(0) });
    const stored = JSON.parse(text(backend.items.get('p')?.data ?? new Uint8Array())) as Record<string, unknown>;
    assert.equal(stored['SessionToken'], '');
    assert.equal(stored['CanExpire'], false);
  });

  it('round-trips through get', async () => {
    const store = new CredentialStore(memoryBackend());
    await store.set('team/dev', { accessKeyId: 'AKIA1', secretAccessKey: 'S1' });
    assert.deepEqual(await store.get('team/dev'), { accessKeyId: 'AKIA1', secretAccessKey: 'S1' });
  });

  it('reads the minimal form aws-vault\'s tests use, and field names in any case (Go JSON rules)', async () => {
    const backend = memoryBackend([
      { key: 'minimal', data: bytes('{"AccessKeyID":"ABC","SecretAccessKey":"XYZ"}') },
      { key: 'lower', data: bytes('{"accesskeyid":"abc","secretaccesskey":"xyz","unknown":1}') },
      { key: 'sdk', data: bytes('{"AccessKeyId":"AKIA2","SecretAccessKey":"S2","SessionToken":"tok","Source":"x"}') },
    ]);
    const store = new CredentialStore(backend);
    assert.deepEqual(await store.get('minimal'), { accessKeyId: 'ABC', secretAccessKey: 'XYZ' });
    assert.deepEqual(await store.get('lower'), { accessKeyId: 'abc', secretAccessKey: 'xyz' });
    assert.deepEqual(await store.get('sdk'), { accessKeyId: 'AKIA2', secretAccessKey: 'S2', sessionToken: 'tok' });
  });

  it('answers has() from the backend\'s keys', async () => {
    const store = new CredentialStore(memoryBackend([{ key: 'a', data: bytes('{}') }]));
    assert.equal(await store.has('a'), true);
    assert.equal(await store.has('b'), false);
  });

  it('rejects a missing item with ITEM_NOT_FOUND', async () => {
    await assert.rejects(new CredentialStore(memoryBackend()).get('absent'), (error: unknown) => isVaultError(error) && error.code === 'ITEM_NOT_FOUND');
  });

  it('removes an item, resolving false when there was none', async () => {
    const backend = memoryBackend([{ key: 'a', data: bytes('{}') }]);
    const store = new CredentialStore(backend);
    assert.equal(await store.remove('a'), true);
    assert.equal(await store.remove('a'), false);
    assert.equal(backend.items.size, 0);
  });
});

describe('parseMasterCredentials: a broken payload is CREDENTIALS_CORRUPT naming the profile', () => {
  const broken: Array<[string, string]> = [
    ['not JSON', 'AKIA,secret'],
    ['JSON null', 'null'],
    ['a JSON string', '"AKIA"'],
    ['no secret', '{"AccessKeyID":"A"}'],
    ['empty key id', '{"AccessKeyID":"","SecretAccessKey":"S"}'],
    ['non-string key id', '{"AccessKeyID":1,"SecretAccessKey":"S"}'],
    ['empty object', '{}'],
  ];
  for (const [what, payload] of broken) {
    it(`rejects ${what}`, () => {
      assertCorrupt(() => parseMasterCredentials(bytes(payload), 'jonsmith'), 'jonsmith');
    });
  }

  it('is what CredentialStore.get reports for a corrupt item', async () => {
    const store = new CredentialStore(memoryBackend([{ key: 'dev', data: bytes('{oops') }]));
    await assert.rejects(store.get('dev'), (error: unknown) => isVaultError(error) && error.code === 'CREDENTIALS_CORRUPT' && error.message.includes('profile dev'));
  });
});
