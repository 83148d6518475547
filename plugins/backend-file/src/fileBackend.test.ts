import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BackendContext } from '@awsvault/core';
import { backendContract, rejectsWithVaultError } from '@awsvault/core/testing';
import * as jose from 'jose';
import { FileBackend, openFileBackend, resolveFileDir } from './fileBackend.js';
import hook from './hooks/backend.js';

const enc = new TextEncoder();
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const PASS = 'test passphrase';

const roots: string[] = [];
after(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function tempHome(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vault-file-backend-'));
  roots.push(root);
  return root;
}

/** A context with a counting askPassphrase. */
function context(homeDir: string, env: Record<string, string | undefined> = {}, answer = PASS) {
  const asked: string[] = [];
  const ctx: BackendContext = {
    env,
    homeDir,
    debug: () => {},
    askPassphrase: async (message) => {
      asked.push(message);
      return answer;
    },
  };
  return { ctx, asked };
}

async function openIn(dir: string, passphrase: string) {
  const home = await tempHome();
  return openFileBackend(context(home, { AWS_VAULT_FILE_DIR: dir, AWS_VAULT_FILE_PASSPHRASE: passphrase }).ctx);
}

async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

backendContract('file', async () => {
  const home = await tempHome();
  return openFileBackend(context(home, { AWS_VAULT_FILE_PASSPHRASE: PASS }).ctx);
});

describe('file backend: directory', () => {
  it('defaults to <home>/.awsvault/keys and expands ~/ in AWS_VAULT_FILE_DIR', () => {
    assert.equal(resolveFileDir({}, '/home/u'), '/home/u/.awsvault/keys');
    assert.equal(resolveFileDir({ AWS_VAULT_FILE_DIR: '' }, '/home/u'), '/home/u/.awsvault/keys');
    assert.equal(resolveFileDir({ AWS_VAULT_FILE_DIR: '~/vault/keys' }, '/home/u'), '/home/u/vault/keys');
    assert.equal(resolveFileDir({ AWS_VAULT_FILE_DIR: '/srv/keys' }, '/home/u'), '/srv/keys');
  });

  it('creates the directory 0700 and files 0600, even under umask 000', async () => {
    const home = await tempHome();
    const backend = await openFileBackend(context(home, { AWS_VAULT_FILE_PASSPHRASE: PASS }).ctx);
    assert.equal(backend.dir, join(home, '.awsvault', 'keys'));
    const previous = process.umask(0);
    try {
      await backend.set({ key: 'dev', data: enc.encode('x') });
      await backend.set({ key: 'dev', data: enc.encode('y') });
      await backend.set({ key: 'team/prod', data: enc.encode('z') });
    } finally {
      process.umask(previous);
    }
    assert.equal((await stat(backend.dir)).mode & 0o777, 0o700);
    for (const name of await readdir(backend.dir)) assert.equal((await stat(join(backend.dir, name))).mode & 0o777, 0o600, name);
    assert.deepEqual((await readdir(backend.dir)).sort(), ['dev', 'team%2Fprod']);
  });

  it('does not change the mode of an existing directory', async () => {
    const dir = join(await tempHome(), 'keys');
    await mkdir(dir);
    await chmod(dir, 0o750);
    const backend = await openIn(dir, PASS);
    await backend.set({ key: 'dev', data: enc.encode('x') });
    assert.equal((await stat(dir)).mode & 0o777, 0o750);
  });

  it('reads an empty or missing directory as no items without creating it', async () => {
    const dir = join(await tempHome(), 'missing', 'keys');
    const backend = await openIn(dir, PASS);
    assert.deepEqual(await backend.keys(), []);
    await rejectsWithVaultError(backend.get('dev'), 'ITEM_NOT_FOUND');
    await assert.rejects(stat(dir), { code: 'ENOENT' });
  });

  it('lists file names percent-decoded, skipping temp files and subdirectories', async () => {
    const dir = join(await tempHome(), 'keys');
    const backend = await openIn(dir, PASS);
    for (const key of ['abc/.././123', 'oidc:https://x/start', '100%']) await backend.set({ key, data: enc.encode(key) });
    assert.deepEqual((await readdir(dir)).sort(), ['100%25', 'abc%2F..%2F.%2F123', 'oidc:https:%2F%2Fx%2Fstart']);
    await writeFile(join(dir, '.vault-tmp-deadbeef'), 'partial');
    await mkdir(join(dir, 'subdir'));
    assert.deepEqual((await backend.keys()).sort(), ['100%', 'abc/.././123', 'oidc:https://x/start']);
    await rejectsWithVaultError(backend.get('.vault-tmp-deadbeef'), 'ITEM_NOT_FOUND');
    await rejectsWithVaultError(backend.get('subdir'), 'ITEM_NOT_FOUND');
    await rejectsWithVaultError(backend.set({ key: '..', data: enc.encode('x') }), 'FILE_INVALID_KEY');
    await rejectsWithVaultError(backend.set({ key: '', data: enc.encode('x') }), 'FILE_INVALID_KEY');
  });

  it('reports metadata from the file without the passphrase', async () => {
    const dir = join(await tempHome(), 'keys');
    const writer = await openIn(dir, PASS);
    const before = Date.now();
    await writer.set({ key: 'dev', data: enc.encode('x'), label: 'aws-vault (dev)' });
    const home = await tempHome();
    const ctx: BackendContext = {
      env: { AWS_VAULT_FILE_DIR: dir },
      homeDir: home,
      debug: () => {},
      askPassphrase: async () => assert.fail('getMetadata must not ask for the passphrase'),
    };
    const reader = await openFileBackend(ctx);
    const meta = await reader.getMetadata('dev');
    assert.equal(meta.key, 'dev');
    assert.ok(meta.modificationTime instanceof Date);
    assert.ok(meta.modificationTime.getTime() >= before - 2000 && meta.modificationTime.getTime() <= Date.now() + 2000);
    assert.deepEqual(await reader.keys(), ['dev']);
    await reader.remove('dev');
    assert.deepEqual(await reader.keys(), []);
  });
});

describe('file backend: passphrase', () => {
  it('asks lazily, once per instance, with the directory in the prompt', async () => {
    const home = await tempHome();
    const { ctx, asked } = context(home);
    const backend = await openFileBackend(ctx);
    assert.deepEqual(await backend.keys(), []);
    await rejectsWithVaultError(backend.get('absent'), 'ITEM_NOT_FOUND');
    await rejectsWithVaultError(backend.getMetadata('absent'), 'ITEM_NOT_FOUND');
    await rejectsWithVaultError(backend.remove('absent'), 'ITEM_NOT_FOUND');
    assert.equal(asked.length, 0);
    await Promise.all([backend.set({ key: 'a', data: enc.encode('1') }), backend.set({ key: 'b', data: enc.encode('2') })]);
    await Promise.all([backend.get('a'), backend.get('b'), backend.get('a')]);
    assert.deepEqual(await backend.keys().then((k) => k.sort()), ['a', 'b']);
    assert.deepEqual(asked, [`Enter passphrase to unlock "${join(home, '.awsvault', 'keys')}": `]);

    const again = await openFileBackend(context(home).ctx);
    await again.get('a');
    const second = context(home);
    const third = await openFileBackend(second.ctx);
    await Promise.all([third.get('a'), third.get('b')]);
    assert.equal(second.asked.length, 1);
  });

  it('uses AWS_VAULT_FILE_PASSPHRASE when set, even empty, and never asks', async () => {
    const home = await tempHome();
    const { ctx, asked } = context(home, { AWS_VAULT_FILE_PASSPHRASE: '' }, 'typed');
    const backend = await openFileBackend(ctx);
    await backend.set({ key: 'dev', data: enc.encode('x') });
    assert.equal(text((await backend.get('dev')).data), 'x');
    assert.equal(asked.length, 0);
    const file = await readFile(join(backend.dir, 'dev'), 'utf8');
    const out = await jose.compactDecrypt(file, new Uint8Array(0), { keyManagementAlgorithms: ['PBES2-HS256+A128KW'] });
    assert.equal(JSON.parse(text(out.plaintext)).Key, 'dev');
  });

  it('refuses a wrong passphrase on get and set, changing no file', async () => {
    const dir = join(await tempHome(), 'keys');
    const right = await openIn(dir, PASS);
    await right.set({ key: 'dev', data: enc.encode('secret-1'), label: 'aws-vault (dev)' });
    await right.set({ key: 'team/prod', data: enc.encode('secret-2') });
    const before = await hashes(dir);

    const wrong = await openIn(dir, 'not the passphrase');
    assert.deepEqual((await wrong.keys()).sort(), ['dev', 'team/prod']);
    const error = await rejectsWithVaultError(wrong.get('dev'), 'FILE_DECRYPT_FAILED', new RegExp(`^cannot decrypt ${escapeRegExp(join(dir, 'dev'))}: wrong passphrase`));
    assert.ok(!error.message.includes('\n'));
    assert.match(String((error as { hint?: unknown }).hint), /AWS_VAULT_FILE_PASSPHRASE/);
    await rejectsWithVaultError(wrong.set({ key: 'dev', data: enc.encode('overwrite') }), 'FILE_DECRYPT_FAILED', new RegExp(escapeRegExp(dir)));
    await rejectsWithVaultError(wrong.set({ key: 'new', data: enc.encode('mixed') }), 'FILE_DECRYPT_FAILED');
    await rejectsWithVaultError(wrong.set({ key: 'new', data: enc.encode('mixed again') }), 'FILE_DECRYPT_FAILED');
    assert.deepEqual(await hashes(dir), before, 'every file byte-identical, none added');
    assert.equal(text((await right.get('dev')).data), 'secret-1');
  });

  it('a fresh instance with the right passphrase verifies and writes into a non-empty directory', async () => {
    const dir = join(await tempHome(), 'keys');
    await (await openIn(dir, PASS)).set({ key: 'dev', data: enc.encode('1') });
    const other = await openIn(dir, PASS);
    await other.set({ key: 'prod', data: enc.encode('2') });
    assert.equal(text((await other.get('dev')).data), '1');
  });
});

describe('file backend: corrupt files', () => {
  it('reports each kind of damage as FILE_ITEM_CORRUPT naming the file, and leaves it alone', async () => {
    const dir = join(await tempHome(), 'keys');
    const backend = await openIn(dir, PASS);
    await backend.set({ key: 'good', data: enc.encode('fine') });
    const jwe = await readFile(join(dir, 'good'), 'utf8');
    const parts = jwe.split('.');
    const flipped = Buffer.from(parts[3] ?? '', 'base64url');
    flipped[Math.floor(flipped.length / 2)]! ^= 0x80;
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', enc: 'A256GCM' })).toString('base64url');
    const damaged: Record<string, string> = {
      truncated: jwe.slice(0, Math.floor(jwe.length * 0.6)),
      'truncated-tail': jwe.slice(0, -3),
      empty: '',
      'bit-flipped': [parts[0], parts[1], parts[2], flipped.toString('base64url'), parts[4]].join('.'),
      'four-parts': parts.slice(0, 4).join('.'),
      'alg-none': [noneHeader, '', '', parts[3], ''].join('.'),
      'not-jwe': 'hello world\n',
    };
    for (const [name, content] of Object.entries(damaged)) await writeFile(join(dir, name), content, { mode: 0o600 });
    const before = await hashes(dir);
    for (const name of Object.keys(damaged)) {
      const error = await rejectsWithVaultError(backend.get(name), 'FILE_ITEM_CORRUPT', new RegExp(`^cannot read ${escapeRegExp(join(dir, name))}: the file is corrupt`));
      assert.ok(!error.message.includes('\n'), error.message);
    }
    // Writes still work: corrupt files are skipped when checking the passphrase, and the good one passes.
    const fresh = await openIn(dir, PASS);
    await fresh.set({ key: 'another', data: enc.encode('ok') });
    delete (before as Record<string, string | undefined>).another;
    const after = await hashes(dir);
    delete after.another;
    assert.deepEqual(after, before);
    assert.equal(text((await fresh.get('good')).data), 'fine');
  });

  it('rejects a decrypted plaintext that is not a keyring item as corrupt', async () => {
    const dir = join(await tempHome(), 'keys');
    const backend = await openIn(dir, PASS);
    const jwe = await new jose.CompactEncrypt(enc.encode('{"Data":"not base64!"}'))
      .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM' })
      .setKeyManagementParameters({ p2c: 8192, p2s: randomBytes(12) })
      .encrypt(enc.encode(PASS));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'weird'), jwe);
    await rejectsWithVaultError(backend.get('weird'), 'FILE_ITEM_CORRUPT', /member "Data" is not standard base64/);
  });
});

describe('file backend: interop with jose (aws-vault format)', () => {
  it('jose decrypts a file we wrote into the aws-vault item JSON', async () => {
    const dir = join(await tempHome(), 'keys');
    const backend = await openIn(dir, PASS);
    const data = enc.encode('{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"s3cr3t","SessionToken":"","Provider":""}');
    await backend.set({ key: 'oidc:https://x/start', data, label: 'aws-vault (oidc)', description: 'desc' });
    const file = await readFile(join(dir, 'oidc:https:%2F%2Fx%2Fstart'), 'utf8');
    assert.match(file, /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){4}$/);
    const result = await jose.compactDecrypt(file, enc.encode(PASS), { keyManagementAlgorithms: ['PBES2-HS256+A128KW'], maxPBES2Count: 1_300_000 });
    assert.deepEqual(Object.keys(result.protectedHeader), ['alg', 'created', 'enc', 'p2c', 'p2s']);
    assert.equal(result.protectedHeader.alg, 'PBES2-HS256+A128KW');
    assert.equal(result.protectedHeader.enc, 'A256GCM');
    assert.equal(result.protectedHeader.p2c, 8192);
    assert.equal(Buffer.from(String(result.protectedHeader.p2s), 'base64url').length, 12);
    assert.deepEqual(JSON.parse(text(result.plaintext)), {
      Key: 'oidc:https://x/start',
      Data: Buffer.from(data).toString('base64'),
      Label: 'aws-vault (oidc)',
      Description: 'desc',
      KeychainNotTrustApplication: false, // an OIDC token: aws-vault sets it on long-term credentials only
      KeychainNotSynchronizable: false,
    });
  });

  it('reads a file jose wrote with Go-style item JSON', async () => {
    const dir = join(await tempHome(), 'keys');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const session = '{"AccessKeyID":"ASIA","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"}';
    const items = {
      'sts.GetSessionToken,ZGV2,,1700000000': `{"Key":"sts.GetSessionToken,ZGV2,,1700000000","Data":"${Buffer.from(session).toString('base64')}","Label":"aws-vault session for dev","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}`,
      'team/dev': `{"key":"team/dev","data":"${Buffer.from('lower').toString('base64')}","label":"l","Unknown":[1,2]}`,
    };
    for (const [key, json] of Object.entries(items)) {
      const jwe = await new jose.CompactEncrypt(enc.encode(json))
        .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM' })
        .setKeyManagementParameters({ p2c: 8192, p2s: randomBytes(12) })
        .encrypt(enc.encode(PASS));
      await writeFile(join(dir, key.replaceAll('%', '%25').replaceAll('/', '%2F')), jwe, { mode: 0o600 });
    }
    const backend = await openIn(dir, PASS);
    assert.deepEqual((await backend.keys()).sort(), Object.keys(items).sort());
    const got = await backend.get('sts.GetSessionToken,ZGV2,,1700000000');
    assert.equal(text(got.data), session);
    assert.equal(got.label, 'aws-vault session for dev');
    assert.equal(got.description, undefined);
    const lower = await backend.get('team/dev');
    assert.equal(text(lower.data), 'lower');
    assert.equal(lower.label, 'l');
    // A write into this directory passes the passphrase check against jose's files.
    await backend.set({ key: 'dev', data: enc.encode('x') });
  });
});

describe('file backend: hook', () => {
  it('declares the file backend and opens it lazily', async () => {
    const definition = await hook();
    assert.equal(definition.kind, 'backend');
    assert.equal(definition.name, 'file');
    const home = await tempHome();
    const { ctx } = context(home, { AWS_VAULT_FILE_PASSPHRASE: PASS });
    assert.equal(await definition.isAvailable?.(ctx), true);
    const backend = await definition.open(ctx);
    assert.equal(backend.name, 'file');
    assert.ok(backend instanceof FileBackend);
    assert.deepEqual(await backend.keys(), []);
  });
});
