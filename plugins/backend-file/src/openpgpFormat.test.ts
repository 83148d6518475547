import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BackendContext } from '@awsvault/core';
import { encodeKeyringItemJson } from '@awsvault/core';
import { backendContract, rejectsWithVaultError } from '@awsvault/core/testing';
import * as jose from 'jose';
import * as openpgp from 'openpgp';
import { FileBackend, openFileBackend } from './fileBackend.js';
import { resolveFileWriteSettings } from './fileSettings.js';
import { gpgHome } from './gpg.test-helper.js';
import type { GpgHome } from './gpg.test-helper.js';
import {
  DEFAULT_S2K_COUNT_BYTE,
  OPENPGP_ARMOR_HEADER,
  decryptOpenPgp,
  detectItemFormat,
  encryptOpenPgp,
  s2kByteCount,
} from './openpgpFormat.js';

const enc = new TextEncoder();
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const PASS = 'test passphrase';
/** Fast settings for tests: 1 KiB hashed by the iterated S2K, 1 MiB for Argon2. */
const FAST_ITERATED = { format: 'openpgp', kdf: 'iterated', s2kCountByte: 0 } as const;
const FAST_ARGON2 = { format: 'openpgp', kdf: 'argon2', argon2MemoryMiB: 1 } as const;

const roots: string[] = [];
after(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vault-file-openpgp-'));
  roots.push(root);
  return root;
}

function context(homeDir: string, env: Record<string, string | undefined>): BackendContext {
  return { env, homeDir, debug: () => {}, askPassphrase: async () => assert.fail('must not prompt') };
}

type WriteOptions = Pick<ConstructorParameters<typeof FileBackend>[0], 'format' | 'kdf' | 's2kCountByte' | 'argon2MemoryMiB'>;
const backendIn = (dir: string, passphrase: string, options: WriteOptions = {}) => new FileBackend({ dir, passphrase: async () => passphrase, ...options });

async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The session-key and data packets of a stored message, as openpgp parses them. */
async function packetsOf(content: Uint8Array | string) {
  const message =
    typeof content === 'string' ? await openpgp.readMessage({ armoredMessage: content }) : await openpgp.readMessage({ binaryMessage: content });
  const list = [...message.packets] as unknown as Array<{
    constructor: { tag: number };
    version: number;
    s2k?: { type: string; c?: number; algorithm?: number; t?: number; p?: number; encodedM?: number };
    sessionKeyEncryptionAlgorithm?: number;
    aeadAlgorithm?: number;
    cipherAlgorithm?: number;
  }>;
  return { tags: list.map((p) => p.constructor.tag), skesk: list.find((p) => p.constructor.tag === 3)!, data: list.find((p) => p.constructor.tag !== 3)! };
}

// The same suites through openFileBackend and the environment, as the CLI opens the backend; the
// iterated S2K count comes from `tuning` (the environment cannot lower it), Argon2's memory from
// AWS_VAULT_FILE_ARGON2_MEMORY. The default costs are tested once below.
backendContract('file (AWS_VAULT_FILE_FORMAT=openpgp)', async () => {
  const home = await tempDir();
  const backend = await openFileBackend(context(home, { AWS_VAULT_FILE_PASSPHRASE: PASS, AWS_VAULT_FILE_FORMAT: 'openpgp' }), { s2kCountByte: 0 });
  assert.equal(backend.format, 'openpgp');
  return backend;
});
backendContract('file (AWS_VAULT_FILE_FORMAT=openpgp AWS_VAULT_FILE_KDF=argon2 AWS_VAULT_FILE_ARGON2_MEMORY=1)', async () => {
  const home = await tempDir();
  const env = { AWS_VAULT_FILE_PASSPHRASE: PASS, AWS_VAULT_FILE_FORMAT: 'openpgp', AWS_VAULT_FILE_KDF: 'argon2', AWS_VAULT_FILE_ARGON2_MEMORY: '1' };
  return openFileBackend(context(home, env));
});

describe('file backend settings', () => {
  it('defaults to JWE, iterated S2K and 64 MiB; matches names case-insensitively; empty is unset', () => {
    assert.deepEqual(resolveFileWriteSettings({}), { format: 'jwe', kdf: 'iterated', argon2MemoryMiB: 64, notes: [] });
    assert.deepEqual(resolveFileWriteSettings({ AWS_VAULT_FILE_FORMAT: '', AWS_VAULT_FILE_KDF: '', AWS_VAULT_FILE_ARGON2_MEMORY: '' }), {
      format: 'jwe',
      kdf: 'iterated',
      argon2MemoryMiB: 64,
      notes: [],
    });
    const s = resolveFileWriteSettings({ AWS_VAULT_FILE_FORMAT: 'OpenPGP', AWS_VAULT_FILE_KDF: 'Argon2', AWS_VAULT_FILE_ARGON2_MEMORY: '256' });
    assert.deepEqual(s, { format: 'openpgp', kdf: 'argon2', argon2MemoryMiB: 256, notes: [] });
    for (const mib of ['1', '2', '512', '1024']) assert.equal(resolveFileWriteSettings({ AWS_VAULT_FILE_ARGON2_MEMORY: mib }).argon2MemoryMiB, Number(mib));
  });

  it('notes settings that have no effect', () => {
    assert.deepEqual(resolveFileWriteSettings({ AWS_VAULT_FILE_KDF: 'argon2' }).notes, ['AWS_VAULT_FILE_KDF has no effect unless AWS_VAULT_FILE_FORMAT=openpgp']);
    assert.deepEqual(resolveFileWriteSettings({ AWS_VAULT_FILE_FORMAT: 'openpgp', AWS_VAULT_FILE_ARGON2_MEMORY: '128' }).notes, [
      'AWS_VAULT_FILE_ARGON2_MEMORY has no effect unless AWS_VAULT_FILE_KDF=argon2',
    ]);
  });

  it('refuses invalid values with FILE_INVALID_SETTING naming the variable, when the backend is opened', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ AWS_VAULT_FILE_FORMAT: 'pgp' }, /^AWS_VAULT_FILE_FORMAT="pgp" is not one of jwe, openpgp$/],
      [{ AWS_VAULT_FILE_KDF: 'scrypt' }, /^AWS_VAULT_FILE_KDF="scrypt" is not one of iterated, argon2$/],
      [{ AWS_VAULT_FILE_ARGON2_MEMORY: '100' }, /^AWS_VAULT_FILE_ARGON2_MEMORY="100" is not a power of two from 1 to 1024 \(MiB\)$/],
      [{ AWS_VAULT_FILE_ARGON2_MEMORY: '2048' }, /AWS_VAULT_FILE_ARGON2_MEMORY="2048"/],
      [{ AWS_VAULT_FILE_ARGON2_MEMORY: '0' }, /AWS_VAULT_FILE_ARGON2_MEMORY="0"/],
      [{ AWS_VAULT_FILE_ARGON2_MEMORY: '64M' }, /AWS_VAULT_FILE_ARGON2_MEMORY="64M"/],
      [{ AWS_VAULT_FILE_ARGON2_MEMORY: '-64' }, /AWS_VAULT_FILE_ARGON2_MEMORY="-64"/],
    ];
    const home = await tempDir();
    for (const [env, pattern] of cases) {
      assert.throws(() => resolveFileWriteSettings(env), (error: unknown) => {
        assert.equal((error as { code?: unknown }).code, 'FILE_INVALID_SETTING');
        assert.match((error as Error).message, pattern);
        return true;
      });
      await rejectsWithVaultError(openFileBackend(context(home, { ...env, AWS_VAULT_FILE_PASSPHRASE: PASS })), 'FILE_INVALID_SETTING');
    }
  });

  it('refuses invalid constructor options', async () => {
    const dir = await tempDir();
    assert.throws(() => backendIn(dir, PASS, { format: 'pgp' as never }), RangeError);
    assert.throws(() => backendIn(dir, PASS, { kdf: 'scrypt' as never }), RangeError);
    assert.throws(() => backendIn(dir, PASS, { s2kCountByte: 256 }), RangeError);
    assert.throws(() => backendIn(dir, PASS, { argon2MemoryMiB: 3 }), RangeError);
    assert.throws(() => backendIn(dir, PASS, { argon2MemoryMiB: 2048 }), RangeError);
  });
});

describe('openpgp format: what is written', () => {
  it('format detection needs only the first bytes', () => {
    assert.equal(detectItemFormat(enc.encode(`${OPENPGP_ARMOR_HEADER}\n\nabc`)), 'openpgp');
    assert.equal(detectItemFormat(enc.encode(`\ufeff \r\n${OPENPGP_ARMOR_HEADER}\r\n`)), 'openpgp');
    assert.equal(detectItemFormat(new Uint8Array([0x8c, 0x0d, 0x04])), 'openpgp');
    assert.equal(detectItemFormat(new Uint8Array([0xc3, 0x2e])), 'openpgp');
    assert.equal(detectItemFormat(enc.encode('eyJhbGciOi.a.b.c.d')), 'jwe');
    assert.equal(detectItemFormat(enc.encode('-----BEGIN PGP SIGNATURE-----')), 'jwe');
    assert.equal(detectItemFormat(new Uint8Array(0)), 'jwe');
    assert.equal(detectItemFormat(enc.encode('\ufeffeyJ')), 'jwe');
  });

  it('with the default cost (via AWS_VAULT_FILE_FORMAT): armored, v4 SKESK, iterated SHA-256 S2K with count byte 224, AES-256, SEIPDv1', async () => {
    const home = await tempDir();
    const backend = await openFileBackend(context(home, { AWS_VAULT_FILE_PASSPHRASE: PASS, AWS_VAULT_FILE_FORMAT: 'openpgp' }));
    const item = { key: 'dev', data: enc.encode('{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"s"}'), label: 'aws-vault (dev)' };
    await backend.set(item);
    const stored = await readFile(backend.pathFor('dev'), 'utf8');
    assert.ok(stored.startsWith(`${OPENPGP_ARMOR_HEADER}\n`), stored);
    assert.ok(stored.trimEnd().endsWith('-----END PGP MESSAGE-----'));
    assert.doesNotMatch(stored, /^(Version|Comment):/m);
    const { tags, skesk, data } = await packetsOf(stored);
    assert.deepEqual(tags, [3, 18]);
    assert.equal(skesk.version, 4);
    assert.equal(skesk.sessionKeyEncryptionAlgorithm, openpgp.enums.symmetric.aes256);
    assert.equal(skesk.s2k?.type, 'iterated');
    assert.equal(skesk.s2k?.algorithm, openpgp.enums.hash.sha256);
    assert.equal(skesk.s2k?.c, DEFAULT_S2K_COUNT_BYTE);
    assert.equal(s2kByteCount(DEFAULT_S2K_COUNT_BYTE), 16 * 1024 * 1024);
    assert.equal(data.version, 1);
    // The plaintext is exactly the JWE format's item JSON, in an uncompressed binary literal packet.
    const opened = await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: stored }), passwords: [PASS], format: 'binary' });
    assert.deepEqual(Buffer.from(opened.data), encodeKeyringItemJson(item));
    const result = await decryptOpenPgp(enc.encode(stored), PASS);
    assert.deepEqual({ armored: result.armored, s2k: result.s2k, aead: result.aead }, { armored: true, s2k: 'iterated', aead: false });
    assert.equal(text((await backend.get('dev')).data), text(item.data));
  });

  it('argon2 with the default 64 MiB: v6 SKESK, Argon2 t=3 p=4 m=2^16 KiB, SEIPDv2 with OCB', async () => {
    const home = await tempDir();
    const backend = await openFileBackend(context(home, { AWS_VAULT_FILE_PASSPHRASE: PASS, AWS_VAULT_FILE_FORMAT: 'openpgp', AWS_VAULT_FILE_KDF: 'argon2' }));
    await backend.set({ key: 'dev', data: enc.encode('argon') });
    const stored = await readFile(backend.pathFor('dev'), 'utf8');
    assert.ok(stored.startsWith(OPENPGP_ARMOR_HEADER));
    const { tags, skesk, data } = await packetsOf(stored);
    assert.deepEqual(tags, [3, 18]);
    assert.equal(skesk.version, 6);
    assert.deepEqual([skesk.s2k?.type, skesk.s2k?.t, skesk.s2k?.p, skesk.s2k?.encodedM], ['argon2', 3, 4, 16]);
    assert.equal(skesk.aeadAlgorithm, openpgp.enums.aead.ocb);
    assert.equal(data.version, 2);
    assert.equal(data.cipherAlgorithm, openpgp.enums.symmetric.aes256);
    assert.equal(text((await backend.get('dev')).data), 'argon');
    const again = await openFileBackend(context(home, { AWS_VAULT_FILE_PASSPHRASE: PASS }));
    assert.equal(text((await again.get('dev')).data), 'argon');
  });

  it('AWS_VAULT_FILE_ARGON2_MEMORY sets the memory exponent', async () => {
    const home = await tempDir();
    const env = { AWS_VAULT_FILE_PASSPHRASE: PASS, AWS_VAULT_FILE_FORMAT: 'openpgp', AWS_VAULT_FILE_KDF: 'argon2', AWS_VAULT_FILE_ARGON2_MEMORY: '2' };
    const backend = await openFileBackend(context(home, env));
    await backend.set({ key: 'dev', data: enc.encode('x') });
    const { skesk } = await packetsOf(await readFile(backend.pathFor('dev'), 'utf8'));
    assert.equal(skesk.s2k?.encodedM, 11);
  });

  it('an empty passphrase works', async () => {
    const dir = join(await tempDir(), 'keys');
    const backend = backendIn(dir, '', FAST_ITERATED);
    await backend.set({ key: 'dev', data: enc.encode('x') });
    assert.equal(text((await backendIn(dir, '').get('dev')).data), 'x');
    await rejectsWithVaultError(backendIn(dir, ' ').get('dev'), 'FILE_DECRYPT_FAILED');
  });
});

describe('openpgp format: a directory holding both formats', () => {
  it('reads every item whatever the write setting, and a write uses the setting', async () => {
    const dir = join(await tempDir(), 'keys');
    await backendIn(dir, PASS).set({ key: 'jwe-item', data: enc.encode('from jwe'), label: 'l1' });
    await backendIn(dir, PASS, FAST_ITERATED).set({ key: 'pgp-iterated', data: enc.encode('from iterated'), description: 'd2' });
    await backendIn(dir, PASS, FAST_ARGON2).set({ key: 'pgp/argon2', data: enc.encode('from argon2') });
    const binary = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: encodeKeyringItemJson({ key: 'pgp-binary', data: enc.encode('from binary') }) }),
      passwords: [PASS],
      format: 'binary',
      config: { s2kIterationCountByte: 0 },
    });
    await writeFile(join(dir, 'pgp-binary'), binary, { mode: 0o600 });
    const joseJwe = await new jose.CompactEncrypt(encodeKeyringItemJson({ key: 'jose', data: enc.encode('from jose') }))
      .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM' })
      .setKeyManagementParameters({ p2c: 1000, p2s: new Uint8Array(12).fill(7) })
      .encrypt(enc.encode(PASS));
    await writeFile(join(dir, 'jose'), joseJwe, { mode: 0o600 });
    const expected: Record<string, string> = {
      'jwe-item': 'from jwe',
      'pgp-iterated': 'from iterated',
      'pgp/argon2': 'from argon2',
      'pgp-binary': 'from binary',
      jose: 'from jose',
    };
    for (const options of [{}, FAST_ITERATED, FAST_ARGON2] satisfies WriteOptions[]) {
      const backend = backendIn(dir, PASS, options);
      assert.deepEqual((await backend.keys()).sort(), Object.keys(expected).sort());
      for (const [key, value] of Object.entries(expected)) assert.equal(text((await backend.get(key)).data), value, `${key} with ${JSON.stringify(options)}`);
      assert.equal((await backend.get('jwe-item')).label, 'l1');
      assert.equal((await backend.get('pgp-iterated')).description, 'd2');
    }
    // Overwriting converts an item to the configured format; the others are untouched.
    const before = await hashes(dir);
    await backendIn(dir, PASS, FAST_ITERATED).set({ key: 'jwe-item', data: enc.encode('now openpgp') });
    assert.equal(detectItemFormat(await readFile(join(dir, 'jwe-item'))), 'openpgp');
    await backendIn(dir, PASS).set({ key: 'pgp-iterated', data: enc.encode('now jwe') });
    assert.match(await readFile(join(dir, 'pgp-iterated'), 'utf8'), /^[\w-]+(\.[\w-]*){4}$/);
    const afterWrites = await hashes(dir);
    for (const name of ['pgp%2Fargon2', 'pgp-binary', 'jose']) assert.equal(afterWrites[name], before[name], name);
    const reader = backendIn(dir, PASS);
    assert.equal(text((await reader.get('jwe-item')).data), 'now openpgp');
    assert.equal(text((await reader.get('pgp-iterated')).data), 'now jwe');
    await reader.remove('pgp/argon2');
    assert.equal((await reader.keys()).length, 4);
  });

  it('checks the passphrase before the first write across formats', async () => {
    // Only OpenPGP items, written under another passphrase: a JWE write is refused.
    const pgpDir = join(await tempDir(), 'keys');
    await backendIn(pgpDir, 'other', FAST_ITERATED).set({ key: 'a', data: enc.encode('1') });
    await backendIn(pgpDir, 'other', FAST_ARGON2).set({ key: 'b', data: enc.encode('2') });
    const pgpBefore = await hashes(pgpDir);
    await rejectsWithVaultError(backendIn(pgpDir, PASS).set({ key: 'new', data: enc.encode('x') }), 'FILE_DECRYPT_FAILED', /^refusing to write .*: the passphrase does not decrypt /);
    await rejectsWithVaultError(backendIn(pgpDir, PASS, FAST_ITERATED).set({ key: 'a', data: enc.encode('x') }), 'FILE_DECRYPT_FAILED');
    assert.deepEqual(await hashes(pgpDir), pgpBefore);
    await backendIn(pgpDir, 'other').set({ key: 'c', data: enc.encode('3') });

    // Only JWE items under another passphrase: an OpenPGP write is refused.
    const jweDir = join(await tempDir(), 'keys');
    await backendIn(jweDir, 'other').set({ key: 'a', data: enc.encode('1') });
    const jweBefore = await hashes(jweDir);
    await rejectsWithVaultError(backendIn(jweDir, PASS, FAST_ITERATED).set({ key: 'new', data: enc.encode('x') }), 'FILE_DECRYPT_FAILED');
    await rejectsWithVaultError(backendIn(jweDir, PASS, FAST_ARGON2).set({ key: 'new', data: enc.encode('x') }), 'FILE_DECRYPT_FAILED');
    assert.deepEqual(await hashes(jweDir), jweBefore);
    await backendIn(jweDir, 'other', FAST_ARGON2).set({ key: 'b', data: enc.encode('2') });
    assert.equal(text((await backendIn(jweDir, 'other').get('b')).data), '2');
  });
});

describe('openpgp format: wrong passphrase', () => {
  it('is FILE_DECRYPT_FAILED, one line naming the file, for both KDFs, on get and set, changing nothing', async () => {
    const dir = join(await tempDir(), 'keys');
    await backendIn(dir, PASS, FAST_ITERATED).set({ key: 'iterated', data: enc.encode('1') });
    await backendIn(dir, PASS, FAST_ARGON2).set({ key: 'argon2', data: enc.encode('2') });
    const before = await hashes(dir);
    const home = await tempDir();
    const wrong = await openFileBackend(context(home, { AWS_VAULT_FILE_DIR: dir, AWS_VAULT_FILE_PASSPHRASE: 'nope', AWS_VAULT_FILE_FORMAT: 'openpgp' }));
    for (const key of ['iterated', 'argon2']) {
      const error = await rejectsWithVaultError(
        wrong.get(key),
        'FILE_DECRYPT_FAILED',
        new RegExp(`^cannot decrypt ${escapeRegExp(join(dir, key))}: wrong passphrase \\(or the file was written with another one\\)$`),
      );
      assert.match(String((error as { hint?: unknown }).hint), /AWS_VAULT_FILE_PASSPHRASE/);
    }
    await rejectsWithVaultError(wrong.set({ key: 'iterated', data: enc.encode('overwrite') }), 'FILE_DECRYPT_FAILED', new RegExp(escapeRegExp(dir)));
    await rejectsWithVaultError(wrong.set({ key: 'new', data: enc.encode('x') }), 'FILE_DECRYPT_FAILED');
    assert.deepEqual(await hashes(dir), before);
  });

  it('is FILE_DECRYPT_FAILED even when a wrong passphrase yields a plausible v4 session key', async () => {
    // About 3 in 256 wrong passphrases decrypt a v4 SKESK to a well-formed 32-byte session key;
    // the data then fails its MDC, and only the quick check tells this from damage.
    const armored = await encryptOpenPgp(encodeKeyringItemJson({ key: 'k', data: enc.encode('v') }), PASS, { s2kCountByte: 0 });
    let plausible = 0;
    let tries = 0;
    for (; tries < 5000 && plausible < 3; tries++) {
      await assert.rejects(decryptOpenPgp(enc.encode(armored), `wrong ${tries}`), (error: unknown) => {
        assert.equal((error as { kind?: unknown }).kind, 'key', String(error));
        if (/does not decrypt the data/.test((error as Error).message)) plausible++;
        return true;
      });
    }
    assert.equal(plausible, 3, `only ${plausible} plausible session keys in ${tries} tries`);
  });
});

describe('openpgp format: corrupt items', () => {
  it('reports damage as FILE_ITEM_CORRUPT naming the file, and leaves every file alone', async () => {
    const dir = join(await tempDir(), 'keys');
    const backend = backendIn(dir, PASS, FAST_ITERATED);
    await backend.set({ key: 'good', data: enc.encode('fine') });
    await backendIn(dir, PASS, FAST_ARGON2).set({ key: 'good-argon2', data: enc.encode('fine too') });
    const armored = await readFile(join(dir, 'good'), 'utf8');
    const binary = (await openpgp.unarmor(armored)).data as Uint8Array;
    const argonBinary = (await openpgp.unarmor(await readFile(join(dir, 'good-argon2'), 'utf8'))).data as Uint8Array;
    const flip = (bytes: Uint8Array, at: number) => {
      const copy = Uint8Array.from(bytes);
      copy[at]! ^= 0x01;
      return copy;
    };
    // Offsets inside the encrypted data, past the SEIPDv1 random prefix.
    const middle = binary.length - 30;
    const argonMiddle = argonBinary.length - 30;
    const lines = armored.trimEnd().split('\n');
    const damaged: Record<string, string | Uint8Array> = {
      'armor-truncated': armored.slice(0, Math.floor(armored.length * 0.6)),
      'armor-no-end': lines.slice(0, -1).join('\n'),
      'armor-header-only': `${OPENPGP_ARMOR_HEADER}\n\n-----END PGP MESSAGE-----\n`,
      'armor-garbage': `${OPENPGP_ARMOR_HEADER}\n\n!!!! not base64 !!!!\n-----END PGP MESSAGE-----\n`,
      'binary-truncated': binary.subarray(0, binary.length - 12),
      'binary-bit-flipped': flip(binary, middle),
      'armored-bit-flipped': openpgp.armor(openpgp.enums.armor.message, flip(binary, middle)),
      'argon2-bit-flipped': flip(argonBinary, argonMiddle),
      'binary-garbage': new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x02]),
      'not-encrypted': await (await openpgp.createMessage({ binary: enc.encode('{"Key":"x"}') })).armor(),
    };
    for (const [name, content] of Object.entries(damaged)) await writeFile(join(dir, name), content, { mode: 0o600 });
    const before = await hashes(dir);
    for (const name of Object.keys(damaged)) {
      const error = await rejectsWithVaultError(backend.get(name), 'FILE_ITEM_CORRUPT', new RegExp(`^cannot read ${escapeRegExp(join(dir, name))}: the file is corrupt \\(`));
      assert.ok(!error.message.includes('\n'), error.message);
      assert.match(String((error as { hint?: unknown }).hint), /backup/);
    }
    // Writes still work: corrupt files are skipped by the passphrase check.
    const fresh = backendIn(dir, PASS, FAST_ITERATED);
    await fresh.set({ key: 'another', data: enc.encode('ok') });
    const afterWrite = await hashes(dir);
    delete afterWrite.another;
    assert.deepEqual(afterWrite, before);
    assert.equal(text((await fresh.get('good')).data), 'fine');
  });

  it('refuses Argon2 parameters above the read limits without running them', async () => {
    const dir = join(await tempDir(), 'keys');
    await backendIn(dir, PASS, FAST_ARGON2).set({ key: 'dev', data: enc.encode('x') });
    const binary = Buffer.from((await openpgp.unarmor(await readFile(join(dir, 'dev'), 'utf8'))).data as Uint8Array);
    // v6 SKESK: ctb, length, version 6, count, cipher, AEAD, S2K length, S2K type 4 (offset 7), 16-byte salt, t, p, m.
    assert.deepEqual([binary[0], binary[2], binary[7]], [0xc3, 6, 4], 'a new-format v6 SKESK with an Argon2 S2K');
    const m = 7 + 1 + 16 + 2;
    assert.equal(binary[m], 10);
    const hugeMemory = Buffer.from(binary);
    hugeMemory[m] = 22;
    const manyPasses = Buffer.from(binary);
    manyPasses[m - 2] = 200;
    await writeFile(join(dir, 'huge-memory'), hugeMemory);
    await writeFile(join(dir, 'many-passes'), manyPasses);
    const started = Date.now();
    await rejectsWithVaultError(backendIn(dir, PASS).get('huge-memory'), 'FILE_ITEM_CORRUPT', /Argon2 with 2\^22 KiB .* above the limit of 2048 MiB/);
    await rejectsWithVaultError(backendIn(dir, PASS).get('many-passes'), 'FILE_ITEM_CORRUPT', /200 passes/);
    assert.ok(Date.now() - started < 2000);
  });

  it('rejects a decrypted plaintext that is not a keyring item as corrupt', async () => {
    const dir = join(await tempDir(), 'keys');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'weird'), await encryptOpenPgp(enc.encode('{"Data":"not base64!"}'), PASS, { s2kCountByte: 0 }));
    await rejectsWithVaultError(backendIn(dir, PASS).get('weird'), 'FILE_ITEM_CORRUPT', /member "Data" is not standard base64/);
  });
});

describe('openpgp format: interop with gpg', () => {
  let gpg: GpgHome;
  before(async () => {
    gpg = await gpgHome();
  });
  after(async () => {
    await gpg.close();
  });

  it('gpg --decrypt opens an item vault wrote (default cost) and prints the item JSON', async () => {
    const home = await tempDir();
    const backend = await openFileBackend(context(home, { AWS_VAULT_FILE_PASSPHRASE: 'pässphrase with spaces', AWS_VAULT_FILE_FORMAT: 'openpgp' }));
    const item = {
      key: 'oidc:https://x/start',
      data: enc.encode('{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"s3cr3t"}'),
      label: 'aws-vault (oidc)',
      description: 'desc',
    };
    await backend.set(item);
    const result = await gpg.decrypt(backend.pathFor(item.key), 'pässphrase with spaces');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout, encodeKeyringItemJson(item));
    const wrong = await gpg.decrypt(backend.pathFor(item.key), 'wrong');
    assert.notEqual(wrong.code, 0);
    assert.equal(wrong.stdout.length, 0);
  });

  it('gpg --decrypt opens the low-cost test items too', async () => {
    const dir = join(await tempDir(), 'keys');
    await backendIn(dir, PASS, FAST_ITERATED).set({ key: 'dev', data: enc.encode('x') });
    const result = await gpg.decrypt(join(dir, 'dev'), PASS);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout.toString('utf8')).Key, 'dev');
  });

  it('vault reads what gpg --symmetric wrote: binary and armored, compressed, default and low S2K counts, AES-128 and AES-256', async () => {
    const dir = join(await tempDir(), 'keys');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const session = '{"AccessKeyID":"ASIA","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"}';
    const json = (key: string, data: string) =>
      `{"Key":${JSON.stringify(key)},"Data":"${Buffer.from(data).toString('base64')}","Label":"aws-vault session","Description":"","KeychainNotTrustApplication":false,"KeychainNotSynchronizable":false}`;
    const variants: Array<[string, string[]]> = [
      ['gpg-default-binary', []],
      ['gpg-armored', ['--armor', '--s2k-count', '65536']],
      ['gpg-aes128-uncompressed', ['--cipher-algo', 'AES128', '--compress-algo', 'none', '--s2k-count', '65536']],
      ['gpg-sha512-bzip2', ['--s2k-digest-algo', 'SHA512', '--compress-algo', 'bzip2', '--s2k-count', '65536']],
      ['team%2Fprod', ['--armor', '--s2k-count', '65536']],
    ];
    for (const [file, extra] of variants) {
      const key = file.replace('%2F', '/');
      const result = await gpg.symmetric(json(key, `${session} ${key}`), join(dir, file), PASS, extra);
      assert.equal(result.code, 0, result.stderr);
    }
    const backend = backendIn(dir, PASS);
    assert.deepEqual((await backend.keys()).sort(), variants.map(([file]) => file.replace('%2F', '/')).sort());
    for (const [file] of variants) {
      const key = file.replace('%2F', '/');
      const got = await backend.get(key);
      assert.equal(text(got.data), `${session} ${key}`);
      assert.equal(got.label, 'aws-vault session');
    }
    assert.equal(detectItemFormat(await readFile(join(dir, 'gpg-default-binary'))), 'openpgp');
    assert.equal((await readFile(join(dir, 'gpg-armored'), 'utf8')).startsWith(OPENPGP_ARMOR_HEADER), true);
    // A write into this directory passes the passphrase check against gpg's files.
    await backend.set({ key: 'dev', data: enc.encode('x') });
    await backendIn(dir, PASS, FAST_ITERATED).set({ key: 'dev2', data: enc.encode('y') });
  });

  it('a gpg-made item: wrong passphrase is FILE_DECRYPT_FAILED, damage past the prefix FILE_ITEM_CORRUPT', async () => {
    const dir = join(await tempDir(), 'keys');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const result = await gpg.symmetric('{"Key":"dev","Data":"eA=="}', join(dir, 'dev'), PASS, ['--s2k-count', '65536']);
    assert.equal(result.code, 0, result.stderr);
    await rejectsWithVaultError(backendIn(dir, 'wrong').get('dev'), 'FILE_DECRYPT_FAILED');
    await rejectsWithVaultError(backendIn(dir, 'wrong').set({ key: 'other', data: enc.encode('x') }), 'FILE_DECRYPT_FAILED');
    const bytes = await readFile(join(dir, 'dev'));
    bytes[bytes.length - 25]! ^= 0x10;
    await writeFile(join(dir, 'damaged'), bytes);
    await rejectsWithVaultError(backendIn(dir, PASS).get('damaged'), 'FILE_ITEM_CORRUPT', /the encrypted data is damaged/);
    assert.equal(text((await backendIn(dir, PASS).get('dev')).data), 'x');
  });

  it('gpg cannot read argon2 items (v6 SKESK, SEIPDv2): they need vault or another RFC 9580 implementation', async () => {
    const dir = join(await tempDir(), 'keys');
    await backendIn(dir, PASS, FAST_ARGON2).set({ key: 'dev', data: enc.encode('x') });
    const result = await gpg.decrypt(join(dir, 'dev'), PASS);
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout.length, 0);
    assert.match(result.stderr, /unknown version 6|no valid OpenPGP data/);
  });
});
