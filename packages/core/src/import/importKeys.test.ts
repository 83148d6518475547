import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CredentialStore } from '../store/credentialStore.js';
import { formatSessionKey } from '../store/sessionKey.js';
import { fakeAccessKeyId } from '../testing/fakeAccessKeyId.js';
import { memoryBackend } from '../testing/memoryBackend.js';
import { importKeys, type ImportOutcome } from './importKeys.js';

const key = (profile: string) => ({ profile, credentials: { accessKeyId: fakeAccessKeyId(profile), secretAccessKey: `${profile}-secret` } });

describe('importKeys', () => {
  it('stores new profiles as vault add does, skips existing ones unless forced', async () => {
    const target = memoryBackend();
    await new CredentialStore(target).set('ci', { accessKeyId: fakeAccessKeyId('old'), secretAccessKey: 'old' });
    const seen: Array<[string, ImportOutcome]> = [];
    const counts = await importKeys(target, [key('dev'), key('ci')], { onItem: (k, outcome) => seen.push([k.profile, outcome]) });
    assert.deepEqual(counts, { imported: 1, overwritten: 0, skipped: 1 });
    assert.deepEqual(seen, [['dev', 'imported'], ['ci', 'skipped']]);
    assert.deepEqual(await new CredentialStore(target).get('dev'), key('dev').credentials);
    assert.equal((await new CredentialStore(target).get('ci')).accessKeyId, fakeAccessKeyId('old'));
    assert.equal(target.items.get('dev')?.label, 'aws-vault (dev)');
  });

  it('--force replaces the keys and drops the sessions made with the old ones', async () => {
    const target = memoryBackend();
    await new CredentialStore(target).set('ci', { accessKeyId: fakeAccessKeyId('old'), secretAccessKey: 'old' });
    const session = formatSessionKey({ type: 'sts.GetSessionToken', profileName: 'ci', detail: '', expiry: Math.trunc(Date.now() / 1000) + 3600 });
    target.items.set(session, { key: session, data: new TextEncoder().encode('{}') });
    const counts = await importKeys(target, [key('ci')], { force: true });
    assert.deepEqual(counts, { imported: 0, overwritten: 1, skipped: 0 });
    assert.deepEqual(await new CredentialStore(target).get('ci'), key('ci').credentials);
    assert.equal(target.items.has(session), false);
  });

  it('a dry run decides every outcome and writes nothing', async () => {
    const target = memoryBackend();
    await new CredentialStore(target).set('ci', { accessKeyId: fakeAccessKeyId('old'), secretAccessKey: 'old' });
    const before = [...target.items.keys()];
    assert.deepEqual(await importKeys(target, [key('dev'), key('ci')], { dryRun: true, force: true }), { imported: 1, overwritten: 1, skipped: 0 });
    assert.deepEqual([...target.items.keys()], before);
    assert.equal((await new CredentialStore(target).get('ci')).accessKeyId, fakeAccessKeyId('old'));
  });
});
