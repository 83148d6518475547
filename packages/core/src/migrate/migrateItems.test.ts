import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../backend.js';
import { memoryBackend } from '../testing/memoryBackend.js';
import { migrateItems } from './migrateItems.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const session = 'sts.GetSessionToken,ZGV2,,9999999999';

function source(): Backend & { items: Map<string, unknown> } {
  return memoryBackend([
    { key: 'dev', data: bytes('dev-keys'), label: 'aws-vault (dev)' },
    { key: 'prod', data: bytes('prod-keys') },
    { key: session, data: bytes('session') },
    { key: 'oidc:https://x/start', data: bytes('token') },
  ]);
}

describe('migrateItems', () => {
  it('copies long-term credentials only by default, verified, leaving the source alone', async () => {
    const from = source();
    const to = memoryBackend();
    const summary = await migrateItems(from, to);
    assert.deepEqual(summary, { copied: 2, overwritten: 0, skipped: 0, deleted: 0, failed: [] });
    assert.deepEqual((await to.keys()).sort(), ['dev', 'prod']);
    assert.equal((await to.get('dev')).label, 'aws-vault (dev)');
    assert.equal((await from.keys()).length, 4);
  });

  it('moves sessions and tokens too when asked, and deletes from the source only with deleteSource', async () => {
    const from = source();
    const to = memoryBackend();
    const summary = await migrateItems(from, to, { includeSessions: true, deleteSource: true });
    assert.equal(summary.copied, 4);
    assert.equal(summary.deleted, 4);
    assert.deepEqual(await from.keys(), []);
    assert.equal(new TextDecoder().decode((await to.get(session)).data), 'session');
  });

  it('skips what the destination has unless overwrite, and names a missing profile', async () => {
    const from = source();
    const to = memoryBackend([{ key: 'dev', data: bytes('other') }]);
    assert.equal((await migrateItems(from, to)).skipped, 1);
    assert.equal(new TextDecoder().decode((await to.get('dev')).data), 'other');
    assert.equal((await migrateItems(from, to, { overwrite: true, keys: ['dev'] })).overwritten, 1);
    assert.equal(new TextDecoder().decode((await to.get('dev')).data), 'dev-keys');
    await assert.rejects(migrateItems(from, to, { keys: ['nope'] }), /profile "nope" not found in source backend memory/);
  });

  it('stops at a failed copy and keeps that item in the source', async () => {
    const from = source();
    const to = memoryBackend();
    const broken: Backend = { ...to, name: 'broken', set: async () => { throw new Error('disk full'); } };
    const summary = await migrateItems(from, broken, { deleteSource: true });
    assert.deepEqual(summary.failed, ['dev']);
    assert.equal(summary.deleted, 0);
    assert.equal((await from.keys()).length, 4);
  });
});
