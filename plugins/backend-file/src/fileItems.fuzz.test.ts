import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeKeyringItemJson, isVaultError } from '@awsvault/core';
// The figure docs/security.md reports; core's fuzz directory is not a package export.
import { FUZZ_RUNS } from '@awsvault/core/testing';
import { FileBackend } from './fileBackend.js';
import { JweError, decryptJwe, encryptJwe, parseJweHeader } from './jwe.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

const PASS = 'fuzz passphrase';
const KEY = 'fuzz-item';
const SECRET = 'SECRETwJalrXUtnFEMI/K7MDENG/bPxRfiCYzzKEY';
const DATA = new TextEncoder().encode(JSON.stringify({ AccessKeyID: fakeAccessKeyId('FUZZEXAMPLE00001'), SecretAccessKey: SECRET }));
const b64u = (text: string | Uint8Array) => Buffer.from(text).toString('base64url');

let dir: string;
let backend: FileBackend;
let wrongPass: FileBackend;
/** A good file as vault writes it, and one holding JSON that is not an item, both under PASS. */
let good: string;
let notAnItem: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-fuzz-file-'));
  backend = new FileBackend({ dir, passphrase: async () => PASS, passphraseSource: 'env' });
  wrongPass = new FileBackend({ dir, passphrase: async () => 'not the passphrase', passphraseSource: 'env' });
  await backend.set({ key: KEY, data: DATA, label: 'fuzz', description: 'fuzzed item' });
  good = await readFile(backend.pathFor(KEY), 'utf8');
  notAnItem = await encryptJwe(new TextEncoder().encode('{"Key":1,"Data":"%%%"}'), PASS);
});
after(() => rm(dir, { recursive: true, force: true }));

/** A header as a hostile or broken writer might make one: iteration counts stay small unless over the limit. */
const header = fc.record(
  {
    alg: fc.oneof(fc.constant('PBES2-HS256+A128KW'), fc.constantFrom('PBES2-HS512+A256KW', 'dir', 'none', ''), fc.jsonValue()),
    enc: fc.oneof(fc.constant('A256GCM'), fc.constantFrom('A128GCM', 'A256CBC-HS512'), fc.jsonValue()),
    p2c: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.constantFrom(0, -1, 1.5, 1_300_001, 2 ** 53, '8192', null)),
    p2s: fc.oneof(fc.uint8Array({ maxLength: 24 }).map(b64u), fc.string()),
    zip: fc.constant('DEF'),
    crit: fc.constant(['exp']),
    created: fc.string(),
  },
  { requiredKeys: ['alg', 'enc'] },
);

const parts = (jwe: string) => jwe.split('.');

/** Damaged versions of a good file: every way a disk, an editor or an attacker can change it. */
const damaged = (): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof<fc.Arbitrary<string | Uint8Array>[]>(
  fc.nat().map((cut) => good.slice(0, cut % good.length)),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }).map((flips) => {
    const bytes = Buffer.from(good, 'utf8');
    for (const [at, bit] of flips) bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ (1 << bit);
    return bytes;
  }),
  header.map((h) => [b64u(JSON.stringify(h)), ...parts(good).slice(1)].join('.')),
  fc.tuple(fc.integer({ min: 0, max: 4 }), fc.oneof(fc.uint8Array({ maxLength: 64 }).map(b64u), fc.string())).map(([i, part]) => {
    const p = parts(good);
    p[i] = part;
    return p.join('.');
  }),
  fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })).map(([i, j]) => {
    const p = parts(good);
    [p[i], p[j]] = [p[j] as string, p[i] as string];
    return p.join('.');
  }),
  fc.constantFrom('', '.', '....', '.....', '\n', good.replace(/\./g, '..'), `${good}.`, `.${good}`, good.toUpperCase(), good.split('.').slice(0, 4).join('.')),
  fc.uint8Array({ maxLength: 2048 }),
  fc.string({ unit: 'binary', maxLength: 512 }),
  fc.constantFrom(null).map(() => notAnItem),
);

describe('fuzz: file backend items', () => {
  it(`get: ${FUZZ_RUNS} damaged files give the original item or FILE_ITEM_CORRUPT / FILE_DECRYPT_FAILED on one line`, async () => {
    const path = backend.pathFor(KEY);
    let inputs = 0;
    const outcomes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(damaged(), async (content) => {
        inputs++;
        await writeFile(path, content);
        let outcome: string;
        try {
          const item = await backend.get(KEY);
          assert.deepEqual(Buffer.from(item.data), Buffer.from(DATA), 'a damaged file never opens to different data');
          outcome = 'read';
        } catch (error) {
          assert.ok(isVaultError(error), `not a VaultError: ${String(error)}`);
          assert.ok(error.code === 'FILE_ITEM_CORRUPT' || error.code === 'FILE_DECRYPT_FAILED', error.code);
          assert.ok(error.message.includes(path), 'names the file');
          assert.ok(!error.message.includes('\n') && !(error.hint ?? '').includes('\n'), 'one line');
          assert.ok(!error.message.includes(SECRET) && !error.message.includes(PASS), 'no secret in the message');
          outcome = error.code;
        }
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }),
      { numRuns: FUZZ_RUNS },
    );
    assert.ok((outcomes['FILE_ITEM_CORRUPT'] ?? 0) > 0 && (outcomes['FILE_DECRYPT_FAILED'] ?? 0) > 0, JSON.stringify(outcomes));
    console.log(`figure fuzz file-backend-items inputs=${inputs} crashes=0 ${Object.entries(outcomes).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  });

  it('get with the wrong passphrase: FILE_DECRYPT_FAILED, for a good file as for damaged ones', async () => {
    await writeFile(backend.pathFor(KEY), good);
    await assert.rejects(wrongPass.get(KEY), (error: { code?: string; message: string }) => error.code === 'FILE_DECRYPT_FAILED' && !error.message.includes('\n'));
  });

  it(`decryptJwe / parseJweHeader: ${FUZZ_RUNS} random strings throw only JweError`, async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(fc.oneof(fc.uint8Array({ maxLength: 48 }).map(b64u), fc.string({ maxLength: 20 })), { maxLength: 7 }).map((p) => p.join('.')),
      fc.tuple(header, fc.uint8Array({ minLength: 40, maxLength: 40 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 16, maxLength: 16 })).map(
        ([h, key, iv, ct, tag]) => [b64u(JSON.stringify(h)), b64u(key), b64u(iv), b64u(ct), b64u(tag)].join('.'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(text, async (jwe) => {
        try {
          parseJweHeader(jwe);
        } catch (error) {
          assert.ok(error instanceof JweError && error.kind === 'corrupt', String(error));
        }
        try {
          await decryptJwe(jwe, PASS);
          assert.fail('random input decrypted');
        } catch (error) {
          assert.ok(error instanceof JweError, `not a JweError: ${String(error)}`);
          assert.ok(!error.message.includes('\n'));
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
    console.log(`figure fuzz jwe-compact inputs=${FUZZ_RUNS} crashes=0`);
  });

  it('a whole item JSON with random fields round-trips through set and get', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), fc.string(), fc.string(), async (data, label, description) => {
        await backend.set({ key: KEY, data, label, description });
        const item = await backend.get(KEY);
        assert.deepEqual(Buffer.from(item.data), Buffer.from(data));
        // The file holds exactly what core's encoder writes.
        const { plaintext } = await decryptJwe(await readFile(backend.pathFor(KEY), 'utf8'), PASS);
        assert.deepEqual(Buffer.from(plaintext), encodeKeyringItemJson({ key: KEY, data, label, description }));
      }),
      { numRuns: 200 },
    );
  });
});
