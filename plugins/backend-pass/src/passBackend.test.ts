import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BackendContext } from '@awsvault/core';
import { backendContract, rejectsWithVaultError } from '@awsvault/core/testing';
import hook from './hooks/backend.js';
import { openPassBackend, PassBackend } from './passBackend.js';
import { createPassFixture, runTool } from './passFixture.test-helper.js';
import type { PassFixture } from './passFixture.test-helper.js';
import { isStoreInitialised, resolvePassSettings, resolveStoreDir } from './settings.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const b64 = (value: string) => Buffer.from(value, 'utf8').toString('base64');

let fx: PassFixture;
/** One store shared by the tests that use a fresh prefix each. */
let shared: string;
let prefixCounter = 0;

before(async () => {
  fx = await createPassFixture();
  shared = await fx.newStore();
});
after(async () => {
  await fx?.cleanup();
});

function context(env: Record<string, string | undefined>, debug: string[] = []): BackendContext {
  return {
    env: { ...fx.env, ...env },
    homeDir: fx.root,
    debug: (message) => debug.push(message),
    askPassphrase: async () => {
      throw new Error('pass never asks vault for a passphrase');
    },
  };
}

const openStore = (store: string, env: Record<string, string | undefined> = {}) =>
  openPassBackend(context({ AWS_VAULT_PASS_PASSWORD_STORE_DIR: store, ...env }));

/** `pass` run by hand in `store`, as a user or aws-vault would. */
const pass = (store: string, args: string[], input?: string) => runTool('pass', args, { ...fx.env, PASSWORD_STORE_DIR: store }, input);

/** aws-vault's JSON for a long-term credential item, as its Go code writes it. */
function awsVaultItemJson(key: string, data: string, label: string, description = '', notTrust = true): string {
  return `{"Key":${JSON.stringify(key)},"Data":"${b64(data)}","Label":${JSON.stringify(label)},"Description":${JSON.stringify(description)},"KeychainNotTrustApplication":${notTrust},"KeychainNotSynchronizable":false}`;
}

/** A wrapper for AWS_VAULT_PASS_CMD that records its arguments and stdin size, then runs pass. */
async function recordingWrapper(): Promise<{ path: string; log: string }> {
  const dir = await fx.tempDir('wrapper');
  const log = join(dir, 'calls.log');
  const path = join(dir, 'my-pass');
  await writeFile(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec /usr/bin/pass "$@"\n`);
  await chmod(path, 0o755);
  return { path, log };
}

backendContract('pass', async () => openStore(shared, { AWS_VAULT_PASS_PREFIX: `contract-${++prefixCounter}` }));
backendContract('pass (no prefix)', async () => openStore(await fx.newStore()));

describe('pass backend: aws-vault interop', () => {
  it('reads an item aws-vault wrote with pass insert -m -f', async () => {
    const store = await fx.newStore();
    const creds = '{"AccessKeyID":"' + fakeAccessKeyId('IOSFODNN7EXAMPLE') + '","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}';
    await pass(store, ['insert', '-m', '-f', 'dev'], awsVaultItemJson('dev', creds, 'aws-vault (dev)'));
    await pass(store, ['insert', '-m', '-f', 'team/ops'], awsVaultItemJson('team/ops', '{"AccessKeyID":"B","SecretAccessKey":"C"}', 'aws-vault (team/ops)'));
    const backend = await openStore(store);
    const item = await backend.get('dev');
    assert.equal(item.key, 'dev');
    assert.equal(text(item.data), creds);
    assert.equal(item.label, 'aws-vault (dev)');
    assert.equal(item.description, undefined);
    assert.deepEqual(await backend.keys(), ['dev', 'team/ops']);
    assert.equal(text((await backend.get('team/ops')).data), '{"AccessKeyID":"B","SecretAccessKey":"C"}');
  });

  it('writes what plain pass show prints as aws-vault JSON, in aws-vault paths', async () => {
    const store = await fx.newStore();
    const backend = await openStore(store);
    const creds = '{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"s3cr3t"}';
    await backend.set({ key: 'dev', data: bytes(creds), label: 'aws-vault (dev)' });
    await backend.set({ key: 'team/dev', data: bytes('{}') });
    const shown = (await pass(store, ['show', 'dev'])).stdout;
    assert.equal(shown, awsVaultItemJson('dev', creds, 'aws-vault (dev)'), 'no trailing newline, Go member order');
    assert.ok((await stat(join(store, 'dev.gpg'))).isFile());
    assert.ok((await stat(join(store, 'team', 'dev.gpg'))).isFile());
    const decoded = JSON.parse((await pass(store, ['show', 'team/dev'])).stdout) as { Key: string; Data: string };
    assert.equal(decoded.Key, 'team/dev');
    assert.equal(Buffer.from(decoded.Data, 'base64').toString(), '{}');
  });

  it("lists and reads an OIDC token stored under aws-vault's path-cleaned name", async () => {
    const store = await fx.newStore();
    const token = '{"Token":{"AccessToken":"tok","ExpiresIn":28800},"Expiration":"2030-01-01T00:00:00Z"}';
    await pass(
      store,
      ['insert', '-m', '-f', 'oidc:https:/x.awsapps.com/start'],
      awsVaultItemJson('oidc:https://x.awsapps.com/start', token, 'aws-vault oidc token for https://x.awsapps.com/start', 'aws-vault oidc token', false),
    );
    const backend = await openStore(store);
    assert.deepEqual(await backend.keys(), ['oidc:https://x.awsapps.com/start']);
    const item = await backend.get('oidc:https://x.awsapps.com/start');
    assert.equal(text(item.data), token);
    assert.equal(item.description, 'aws-vault oidc token');
    assert.ok((await backend.getMetadata('oidc:https://x.awsapps.com/start')).modificationTime instanceof Date);
    // A start URL with a trailing slash was cleaned to the same name by aws-vault.
    assert.equal(text((await backend.get('oidc:https://x.awsapps.com/start/')).data), token);
    await backend.remove('oidc:https://x.awsapps.com/start');
    assert.deepEqual(await backend.keys(), []);
    await assert.rejects(stat(join(store, 'oidc:https:', 'x.awsapps.com', 'start.gpg')));
  });

  it('round-trips its own OIDC tokens exactly, readable by plain pass under the escaped name', async () => {
    const store = await fx.newStore();
    const backend = await openStore(store);
    const key = 'oidc:https://x.awsapps.com/start';
    await backend.set({ key, data: bytes('{"Token":{}}'), description: 'aws-vault oidc token' });
    assert.deepEqual(await backend.keys(), [key]);
    assert.equal(text((await backend.get(key)).data), '{"Token":{}}');
    assert.ok((await stat(join(store, 'oidc:https:', '%', 'x.awsapps.com', 'start.gpg'))).isFile());
    const shown = JSON.parse((await pass(store, ['show', 'oidc:https:/%/x.awsapps.com/start'])).stdout) as Record<string, unknown>;
    assert.equal(shown['Key'], key);
    assert.equal(shown['KeychainNotTrustApplication'], false);
    // The trailing-slash URL is another key for vault.
    await rejectsWithVaultError(backend.get(`${key}/`), 'ITEM_NOT_FOUND');
  });

  it("prefers vault's entry when both tools stored the same token, and remove deletes both", async () => {
    const store = await fx.newStore();
    const key = 'oidc:https://x.awsapps.com/start';
    await pass(store, ['insert', '-m', '-f', 'oidc:https:/x.awsapps.com/start'], awsVaultItemJson(key, 'old', ''));
    const backend = await openStore(store);
    await backend.set({ key, data: bytes('new') });
    assert.deepEqual(await backend.keys(), [key]);
    assert.equal(text((await backend.get(key)).data), 'new');
    await backend.remove(key);
    assert.deepEqual(await backend.keys(), []);
    await rejectsWithVaultError(backend.get(key), 'ITEM_NOT_FOUND');
  });

  it('refuses to write a key it would list differently', async () => {
    const backend = await openStore(shared, { AWS_VAULT_PASS_PREFIX: 'ambiguous' });
    await rejectsWithVaultError(backend.set({ key: 'oidc:https:/x', data: bytes('x') }), 'PASS_INVALID_KEY', /oidc:https:\/\/x/);
  });
});

describe('pass backend: settings', () => {
  it('resolves the store dir as aws-vault does', () => {
    assert.equal(resolveStoreDir({}, '/home/u'), '/home/u/.password-store');
    assert.equal(resolveStoreDir({ PASSWORD_STORE_DIR: '/srv/p' }, '/home/u'), '/srv/p');
    assert.equal(resolveStoreDir({ PASSWORD_STORE_DIR: '/srv/p', AWS_VAULT_PASS_PASSWORD_STORE_DIR: '~/vault-pass' }, '/home/u'), '/home/u/vault-pass');
    assert.equal(resolveStoreDir({ AWS_VAULT_PASS_PASSWORD_STORE_DIR: '', PASSWORD_STORE_DIR: '~' }, '/home/u'), '/home/u');
    const settings = resolvePassSettings({ AWS_VAULT_PASS_PREFIX: '/aws-vault/', AWS_VAULT_PASS_TIMEOUT: '90s' }, '/home/u');
    assert.deepEqual(settings.prefix, ['aws-vault']);
    assert.equal(settings.timeoutMs, 90_000);
    assert.equal(settings.command, 'pass');
    assert.throws(() => resolvePassSettings({ AWS_VAULT_PASS_PREFIX: '../elsewhere' }, '/home/u'), { code: 'PASS_INVALID_SETTING' });
    assert.throws(() => resolvePassSettings({ AWS_VAULT_PASS_TIMEOUT: '60' }, '/home/u'), { code: 'PASS_INVALID_SETTING' });
  });

  it('honours AWS_VAULT_PASS_PREFIX', async () => {
    const store = await fx.newStore();
    await pass(store, ['insert', '-m', '-f', 'personal/email'], 'hunter2');
    await pass(store, ['insert', '-m', '-f', 'aws-vault/oidc:https:/x.awsapps.com/start'], awsVaultItemJson('oidc:https://x.awsapps.com/start', 'tok', ''));
    const backend = await openStore(store, { AWS_VAULT_PASS_PREFIX: 'aws-vault' });
    await backend.set({ key: 'dev', data: bytes('d') });
    await backend.set({ key: 'a//b', data: bytes('ab') });
    assert.ok((await stat(join(store, 'aws-vault', 'dev.gpg'))).isFile());
    assert.ok((await stat(join(store, 'aws-vault', 'a', '%', 'b.gpg'))).isFile());
    assert.deepEqual(await backend.keys(), ['a//b', 'dev', 'oidc:https://x.awsapps.com/start']);
    assert.equal(text((await backend.get('oidc:https://x.awsapps.com/start')).data), 'tok');
    assert.equal(JSON.parse((await pass(store, ['show', 'aws-vault/dev'])).stdout).Key, 'dev');
    await rejectsWithVaultError(backend.get('personal/email'), 'ITEM_NOT_FOUND');
  });

  it('honours AWS_VAULT_PASS_CMD and never puts item data in argv', async () => {
    const store = await fx.newStore();
    const wrapper = await recordingWrapper();
    const backend = await openStore(store, { AWS_VAULT_PASS_CMD: wrapper.path });
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    await backend.set({ key: 'dev', data: bytes(`{"SecretAccessKey":"${secret}"}`) });
    assert.match(text((await backend.get('dev')).data), /wJalrXUtnFEMI/);
    await backend.remove('dev');
    await rejectsWithVaultError(backend.remove('dev'), 'ITEM_NOT_FOUND');
    await rejectsWithVaultError(backend.get('dev'), 'ITEM_NOT_FOUND');
    const log = await readFile(wrapper.log, 'utf8');
    assert.equal(log, 'insert -m -f dev\nshow dev\nrm -f dev\n', 'missing keys are answered without running pass');
    assert.ok(!log.includes(secret) && !log.includes(b64(secret).slice(0, 12)));
  });

  it('passes names that start with "-" after --', async () => {
    const backend = await openStore(await fx.newStore());
    await backend.set({ key: '-dash', data: bytes('x') });
    assert.equal(text((await backend.get('-dash')).data), 'x');
    assert.deepEqual(await backend.keys(), ['-dash']);
    await backend.remove('-dash');
    assert.deepEqual(await backend.keys(), []);
  });

  it('lists only *.gpg entries, skipping .git, .extensions, .gpg-id and linked directories', async () => {
    const store = await fx.newStore();
    const backend = await openStore(store);
    await backend.set({ key: 'team/dev', data: bytes('x') });
    await mkdir(join(store, '.git'));
    await writeFile(join(store, '.git', 'x.gpg'), '');
    await mkdir(join(store, '.extensions'));
    await writeFile(join(store, '.extensions', 'y.gpg'), '');
    await writeFile(join(store, 'notes.txt'), '');
    await writeFile(join(store, '.gpg'), '');
    await writeFile(join(store, '%.gpg'), '');
    await mkdir(join(store, 'dir.gpg'));
    await symlink(join(store, 'team'), join(store, 'linked'));
    await symlink(join(store, 'team', 'dev.gpg'), join(store, 'alias.gpg'));
    assert.deepEqual(await backend.keys(), ['alias', 'team/dev']);
  });

  it('reports the modification time without decrypting', async () => {
    const store = await fx.newStore();
    const wrapper = await recordingWrapper();
    const backend = await openStore(store, { AWS_VAULT_PASS_CMD: wrapper.path });
    await backend.set({ key: 'dev', data: bytes('x'), label: 'L' });
    const when = new Date('2024-05-06T07:08:09Z');
    await utimes(join(store, 'dev.gpg'), when, when);
    const meta = await backend.getMetadata('dev');
    assert.equal(meta.key, 'dev');
    assert.equal(meta.modificationTime?.toISOString(), when.toISOString());
    assert.equal(await readFile(wrapper.log, 'utf8'), 'insert -m -f dev\n');
  });
});

describe('pass backend: availability and errors', () => {
  it('is available with pass on PATH and an initialised store', async () => {
    assert.equal(hook.length, 0);
    const definition = await hook();
    assert.equal(definition.name, 'pass');
    assert.equal(await definition.isAvailable?.(context({ AWS_VAULT_PASS_PASSWORD_STORE_DIR: shared })), true);
    const backend = await definition.open(context({ AWS_VAULT_PASS_PASSWORD_STORE_DIR: shared }));
    assert.ok(backend instanceof PassBackend);
  });

  it('is unavailable, with a hint, when the store has no .gpg-id', async () => {
    const store = await fx.tempDir('uninitialised');
    const definition = await hook();
    assert.equal(await definition.isAvailable?.(context({ PASSWORD_STORE_DIR: store })), false);
    assert.equal(await definition.isAvailable?.(context({ PASSWORD_STORE_DIR: join(store, 'missing') })), false);
    const error = await rejectsWithVaultError(definition.open(context({ PASSWORD_STORE_DIR: store })), 'BACKEND_UNAVAILABLE', /not initialised/);
    assert.match(error.hint ?? '', /pass init <gpg-key-id>/);
    // A .gpg-id in the prefix directory (pass init -p aws-vault) is enough.
    await mkdir(join(store, 'aws-vault'));
    await writeFile(join(store, 'aws-vault', '.gpg-id'), `${fx.fingerprint}\n`);
    assert.equal(await isStoreInitialised(store, ['aws-vault', 'sub']), true);
    assert.equal(await definition.isAvailable?.(context({ PASSWORD_STORE_DIR: store, AWS_VAULT_PASS_PREFIX: 'aws-vault' })), true);
    assert.equal(await definition.isAvailable?.(context({ PASSWORD_STORE_DIR: store })), false);
  });

  it('is unavailable, with a hint, when pass is not installed or AWS_VAULT_PASS_CMD does not resolve', async () => {
    const definition = await hook();
    const emptyPath = await fx.tempDir('empty-path');
    const noPass = context({ AWS_VAULT_PASS_PASSWORD_STORE_DIR: shared, PATH: emptyPath });
    assert.equal(await definition.isAvailable?.(noPass), false);
    const error = await rejectsWithVaultError(definition.open(noPass), 'BACKEND_UNAVAILABLE', /pass is not installed/);
    assert.match(error.hint ?? '', /apt-get install pass/);
    const badCmd = context({ AWS_VAULT_PASS_PASSWORD_STORE_DIR: shared, AWS_VAULT_PASS_CMD: join(emptyPath, 'nope') });
    assert.equal(await definition.isAvailable?.(badCmd), false);
    await rejectsWithVaultError(definition.open(badCmd), 'BACKEND_UNAVAILABLE', /AWS_VAULT_PASS_CMD/);
    const notExecutable = join(emptyPath, 'pass');
    await writeFile(notExecutable, '#!/bin/sh\n', { mode: 0o644 });
    assert.equal(await definition.isAvailable?.(noPass), false);
  });

  it('fails with PASS_FAILED naming the entry when it is encrypted to another key', async () => {
    const other = await fx.newGpgHome();
    const store = await fx.newStore(other);
    await runTool('pass', ['insert', '-m', '-f', 'team/dev'], { ...other.env, PASSWORD_STORE_DIR: store }, awsVaultItemJson('team/dev', '{}', ''));
    const backend = await openStore(store);
    const error = await rejectsWithVaultError(backend.get('team/dev'), 'PASS_FAILED', /pass show team\/dev failed.*No secret key/);
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.match(error.hint ?? '', /secret key/);
    assert.deepEqual(await backend.keys(), ['team/dev'], 'listing needs no key');
  });

  it('reports an entry that is not an aws-vault item as PASS_ITEM_CORRUPT', async () => {
    const store = await fx.newStore();
    await pass(store, ['insert', '-m', '-f', 'email'], 'hunter2\n');
    const backend = await openStore(store);
    const error = await rejectsWithVaultError(backend.get('email'), 'PASS_ITEM_CORRUPT', /pass entry email is not an aws-vault item/);
    assert.ok(!JSON.stringify(error, Object.getOwnPropertyNames(error)).includes('hunter2'), 'the content is not in the error');
    assert.equal(error.cause, undefined);
  });

  it('rejects keys that would leave the store, without running pass', async () => {
    const wrapper = await recordingWrapper();
    const backend = await openStore(shared, { AWS_VAULT_PASS_PREFIX: 'escape', AWS_VAULT_PASS_CMD: wrapper.path });
    for (const key of ['..', '../outside', 'a/../../outside', '/etc/passwd', 'a/./b']) {
      await rejectsWithVaultError(backend.set({ key, data: bytes('x') }), 'PASS_INVALID_KEY');
      await rejectsWithVaultError(backend.get(key), 'PASS_INVALID_KEY');
      await rejectsWithVaultError(backend.remove(key), 'PASS_INVALID_KEY');
      await rejectsWithVaultError(backend.getMetadata(key), 'PASS_INVALID_KEY');
    }
    await assert.rejects(readFile(wrapper.log, 'utf8'), { code: 'ENOENT' });
  });

  it('stops a pass call that hangs (e.g. on a pinentry) after the timeout', async () => {
    const dir = await fx.tempDir('hang');
    const pidFile = join(dir, 'sleep.pid');
    const hanging = join(dir, 'hanging-pass');
    await writeFile(hanging, `#!/bin/sh\nsleep 30 &\necho $! > '${pidFile}'\nwait\n`, { mode: 0o755 });
    const store = await fx.newStore();
    await writeFile(join(store, 'dev.gpg'), 'not really encrypted');
    const backend = await openStore(store, { AWS_VAULT_PASS_CMD: hanging, AWS_VAULT_PASS_TIMEOUT: '300ms' });
    const started = Date.now();
    const error = await rejectsWithVaultError(backend.get('dev'), 'PASS_FAILED', /pass show dev did not finish within 0\.3 s/);
    assert.ok(Date.now() - started < 5000);
    assert.match(error.hint ?? '', /AWS_VAULT_PASS_TIMEOUT/);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    // A killed process whose parent died stays a zombie until init reaps it: count that as gone.
    const alive = async () => {
      try {
        process.kill(pid, 0);
      } catch {
        return false;
      }
      const state = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      return !/^\d+ \(.*\) Z/.test(state);
    };
    for (let i = 0; i < 100 && (await alive()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await alive(), false, 'the whole process group was stopped');
  });

  it('costs one pass show per get (timed)', async (t) => {
    const backend = await openStore(shared, { AWS_VAULT_PASS_PREFIX: 'timing' });
    await backend.set({ key: 'dev', data: bytes('{"AccessKeyID":"A","SecretAccessKey":"S"}') });
    await backend.get('dev');
    const runs = 5;
    const started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) await backend.get('dev');
    const ms = Number(process.hrtime.bigint() - started) / 1e6 / runs;
    t.diagnostic(`one get: ${ms.toFixed(1)} ms`);
    assert.ok(ms < 5000);
  });
});
