import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, Item } from '../backend.js';
import { isItemNotFound } from '../errors.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function rejectsNotFound(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isItemNotFound(error), `expected ITEM_NOT_FOUND, got ${String(error)}`);
    return true;
  });
}

/** Limits of a store that the contract must respect. @public */
export interface BackendContractOptions {
  /**
   * The largest item (in bytes of arbitrary binary data) the store holds; 16 KB by default. OS
   * stores are smaller (Windows: 2,560 bytes), and must refuse larger items with a clear error.
   */
  largeItemBytes?: number;
}

/**
 * The behaviour every backend promises, as a node:test suite. `open` must return an empty backend
 * each time it is called (a fresh directory, store or collection).
 * @public
 */
export function backendContract(name: string, open: () => Promise<Backend>, options: BackendContractOptions = {}): void {
  const largeItemBytes = options.largeItemBytes ?? 16 * 1024;
  describe(`backend contract: ${name}`, () => {
    it('round-trips an item with its label and description', async () => {
      const backend = await open();
      const item: Item = { key: 'dev', data: bytes('{"AccessKeyID":"A","SecretAccessKey":"S"}'), label: 'aws-vault (dev)', description: 'd' };
      await backend.set(item);
      const got = await backend.get('dev');
      assert.equal(got.key, 'dev');
      assert.equal(text(got.data), text(item.data));
      assert.deepEqual(await backend.keys(), ['dev']);
      const meta = await backend.getMetadata('dev');
      assert.equal(meta.key, 'dev');
    });

    it('reports a missing key as ITEM_NOT_FOUND on get, remove and getMetadata', async () => {
      const backend = await open();
      await rejectsNotFound(backend.get('absent'));
      await rejectsNotFound(backend.remove('absent'));
      await rejectsNotFound(backend.getMetadata('absent'));
      assert.deepEqual(await backend.keys(), []);
    });

    it('keeps keys with slashes, colons, commas, spaces and non-ASCII apart', async () => {
      const backend = await open();
      const keys = ['team/dev', 'oidc:https://x.awsapps.com/start', 'sts.AssumeRole,ZGV2,,1700000000', 'my profile', 'prød-ü', '100%', 'a//b'];
      for (const key of keys) await backend.set({ key, data: bytes(`value of ${key}`) });
      assert.deepEqual([...(await backend.keys())].sort(), [...keys].sort());
      for (const key of keys) assert.equal(text((await backend.get(key)).data), `value of ${key}`);
    });

    it(`stores a ${largeItemBytes === 16 * 1024 ? '16 KB' : `${largeItemBytes}-byte`} item byte for byte`, async () => {
      const backend = await open();
      const data = new Uint8Array(largeItemBytes).map((_, i) => (i * 7) % 256);
      await backend.set({ key: 'big', data });
      assert.deepEqual(Buffer.from((await backend.get('big')).data), Buffer.from(data));
    });

    it('overwrites and removes', async () => {
      const backend = await open();
      await backend.set({ key: 'k', data: bytes('one') });
      await backend.set({ key: 'k', data: bytes('two') });
      assert.equal(text((await backend.get('k')).data), 'two');
      assert.deepEqual(await backend.keys(), ['k']);
      await backend.remove('k');
      await rejectsNotFound(backend.get('k'));
      assert.deepEqual(await backend.keys(), []);
    });

    it('survives 10 concurrent writers to different keys and to the same key', async () => {
      const backend = await open();
      const writers = Array.from({ length: 10 }, (_, i) => i);
      await Promise.all(writers.map((i) => backend.set({ key: `k${i}`, data: bytes(`v${i}`) })));
      await Promise.all(writers.map((i) => backend.set({ key: 'same', data: bytes(`w${i}`) })));
      for (const i of writers) assert.equal(text((await backend.get(`k${i}`)).data), `v${i}`);
      const last = text((await backend.get('same')).data);
      assert.match(last, /^w\d$/);
      assert.equal((await backend.keys()).length, 11);
    });
  });
}
