/**
 * The backend against a real gnome-keyring-daemon on a private D-Bus bus (started here, killed in
 * `after`). Raw calls go through dbus-next's MessageBus and `secret-tool`, not the backend's code.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import dbus from 'dbus-next';
import type { Backend } from '@awsvault/core';
import { backendContract } from '@awsvault/core/testing';
import hook from './hooks/backend.js';
import { checkSecretService } from './probe.js';
import { openSecretServiceBackend, SecretServiceBackend } from './secretServiceBackend.js';
import { SERVICE, SERVICE_PATH, contextFor, startTestBus } from './testBus.test.helper.js';

const run = promisify(execFile);
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const SECRET = '{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"do-not-print-me"}';

const keyring = await startTestBus({ keyring: true });
const plainBus = await startTestBus({ keyring: false });
const opened: SecretServiceBackend[] = [];
const servers: Server[] = [];
after(async () => {
  for (const backend of opened) backend.close();
  for (const server of servers) server.close();
  await keyring.stop();
  await plainBus.stop();
});

/** A backend on the keyring bus for collection `name` (undefined: aws-vault's default). */
async function open(name?: string): Promise<SecretServiceBackend> {
  const env: Record<string, string> = { DBUS_SESSION_BUS_ADDRESS: keyring.address };
  if (name !== undefined) env['AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME'] = name;
  const backend = await openSecretServiceBackend(contextFor(env));
  opened.push(backend);
  return backend;
}

async function rejectsWith(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<Error> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    assert.equal((error as { code?: unknown }).code, code, String(error));
    if (pattern) assert.match((error as Error).message, pattern);
    return true;
  });
  return caught as Error;
}

const raw = {
  prop: async (path: string, iface: string, name: string) => {
    const [value] = await keyring.call(SERVICE, path, 'org.freedesktop.DBus.Properties', 'Get', 'ss', [iface, name]);
    return (value as dbus.Variant).value as unknown;
  },
  search: async (attributes: Record<string, string>) => {
    const [unlocked, locked] = await keyring.call(SERVICE, SERVICE_PATH, 'org.freedesktop.Secret.Service', 'SearchItems', 'a{ss}', [attributes]);
    return [...(unlocked as string[]), ...(locked as string[])];
  },
};

let contractRuns = 0;
backendContract('secret-service', async () => {
  // A fresh collection per test; the dash makes gnome-keyring escape the path (vault_2dcontract_2d1).
  const name = `vault-contract-${++contractRuns}`;
  await keyring.createCollection(name);
  return open(name);
});

describe('secret-service: aws-vault layout', () => {
  it('reads an item aws-vault wrote (raw D-Bus calls into the default collection "awsvault")', async () => {
    const collection = await keyring.createCollection('awsvault');
    assert.equal(collection, '/org/freedesktop/secrets/collection/awsvault');
    const goJson = `{"Key":"jonsmith","Data":"${Buffer.from(SECRET).toString('base64')}","Label":"aws-vault (jonsmith)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}`;
    await keyring.call(SERVICE, collection, 'org.freedesktop.Secret.Collection', 'CreateItem', 'a{sv}(oayays)b', [
      {
        'org.freedesktop.Secret.Item.Label': new dbus.Variant('s', 'jonsmith'),
        'org.freedesktop.Secret.Item.Attributes': new dbus.Variant('a{ss}', { profile: 'jonsmith' }),
      },
      [await keyring.session(), Buffer.alloc(0), Buffer.from(goJson), 'application/json'],
      true,
    ]);
    const backend = await open();
    assert.equal(backend.collectionName, 'awsvault');
    const item = await backend.get('jonsmith');
    assert.deepEqual({ ...item, data: text(item.data) }, { key: 'jonsmith', data: SECRET, label: 'aws-vault (jonsmith)' });
    assert.deepEqual(await backend.keys(), ['jonsmith']);
    const meta = await backend.getMetadata('jonsmith');
    assert.equal(meta.label, 'jonsmith');
    assert.ok(meta.modificationTime instanceof Date && Math.abs(meta.modificationTime.getTime() - Date.now()) < 60_000, String(meta.modificationTime));
  });

  it('writes items aws-vault (and secret-tool) can read: label = key, profile attribute, whole-item JSON', async () => {
    const collection = await keyring.createCollection('vault-interop');
    const backend = await open('vault-interop');
    await backend.set({ key: 'interop/dev', data: bytes(SECRET), label: 'aws-vault (interop/dev)' });
    const { stdout } = await run('secret-tool', ['lookup', 'profile', 'interop/dev'], { env: keyring.env });
    assert.equal(
      stdout.trim(),
      `{"Key":"interop/dev","Data":"${Buffer.from(SECRET).toString('base64')}","Label":"aws-vault (interop/dev)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}`,
    );
    const [itemPath, ...others] = await raw.search({ profile: 'interop/dev' });
    assert.equal(others.length, 0);
    assert.ok(itemPath !== undefined && itemPath.startsWith(`${collection}/`), `${itemPath} is not in ${collection}`);
    assert.equal(await raw.prop(itemPath, 'org.freedesktop.Secret.Item', 'Label'), 'interop/dev');
    assert.deepEqual(await raw.prop(itemPath, 'org.freedesktop.Secret.Item', 'Attributes'), { profile: 'interop/dev' });

    // replace = true: a second write updates the one item
    await backend.set({ key: 'interop/dev', data: bytes('{"AccessKeyID":"B"}') });
    assert.deepEqual(await raw.search({ profile: 'interop/dev' }), [itemPath]);
  });

  it('finds a collection by label when its path is not named after it (extension)', async () => {
    // gnome-keyring turns the spaces into "_" before escaping: the path decodes to "vault_label_test".
    const collection = await keyring.createCollection('vault label test');
    assert.equal(collection, '/org/freedesktop/secrets/collection/vault_5flabel_5ftest');
    const backend = await open('vault label test');
    await backend.set({ key: 'by-label', data: bytes('x') });
    const [itemPath] = await raw.search({ profile: 'by-label' });
    assert.ok(itemPath !== undefined && itemPath.startsWith(`${collection}/`));
    assert.equal(text((await backend.get('by-label')).data), 'x');
  });
});

describe('secret-service: missing and locked collections', () => {
  it('treats a missing collection as empty', async () => {
    const backend = await open('vault-never-created');
    assert.deepEqual(await backend.keys(), []);
    await rejectsWith(backend.get('dev'), 'ITEM_NOT_FOUND', /vault-never-created/);
    await rejectsWith(backend.getMetadata('dev'), 'ITEM_NOT_FOUND');
    await rejectsWith(backend.remove('dev'), 'ITEM_NOT_FOUND');
  });

  it('asks gnome-keyring to create a missing collection on the first write (headless: its prompt is dismissed)', async () => {
    const backend = await open('vault-needs-prompt');
    const error = await rejectsWith(backend.set({ key: 'dev', data: bytes(SECRET) }), 'SECRET_SERVICE_FAILED', /create the collection "vault-needs-prompt".*dismissed/);
    assert.match(error.message, /^cannot write item "dev" in Secret Service collection "vault-needs-prompt": /);
    assert.match((error as { hint?: string }).hint ?? '', /keyring named "vault-needs-prompt"/);
    assert.deepEqual(await backend.keys(), []);
  });

  it('unlocks a locked collection through the service (dismissed here) and never prints the secret', async () => {
    const collection = await keyring.createCollection('vault-locked');
    const backend = await open('vault-locked');
    await backend.set({ key: 'dev', data: bytes(SECRET) });
    await keyring.call(SERVICE, SERVICE_PATH, 'org.freedesktop.Secret.Service', 'Lock', 'ao', [[collection]]);
    assert.equal(await raw.prop(collection, 'org.freedesktop.Secret.Collection', 'Locked'), true);
    // Labels and metadata stay readable while locked.
    assert.deepEqual(await backend.keys(), ['dev']);
    assert.equal((await backend.getMetadata('dev')).label, 'dev');
    const error = await rejectsWith(backend.get('dev'), 'SECRET_SERVICE_FAILED', /unlock the keyring was dismissed/);
    assert.doesNotMatch(`${error.message} ${(error as { hint?: string }).hint}`, /do-not-print-me|AKIAEXAMPLE/);
    await rejectsWith(backend.set({ key: 'other', data: bytes('x') }), 'SECRET_SERVICE_FAILED', /dismissed/);
  });
});

describe('secret-service: availability', () => {
  it('is unavailable at once without DBUS_SESSION_BUS_ADDRESS', async () => {
    const definition = await hook();
    const started = performance.now();
    assert.equal(await definition.isAvailable?.(contextFor({})), false);
    assert.ok(performance.now() - started < 100);
    await rejectsWith(definition.open(contextFor({})), 'BACKEND_UNAVAILABLE', /: no D-Bus session bus \(DBUS_SESSION_BUS_ADDRESS is not set\)$/);
  });

  it('is unavailable when the bus has no Secret Service', async () => {
    const definition = await hook();
    const ctx = contextFor({ DBUS_SESSION_BUS_ADDRESS: plainBus.address });
    assert.equal(await definition.isAvailable?.(ctx), false);
    await rejectsWith(definition.open(ctx), 'BACKEND_UNAVAILABLE', /: no Secret Service on the session bus$/);
  });

  it('is unavailable within about a second when the bus is missing or silent', async () => {
    const missing = await checkSecretService({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/vault-test-bus' });
    assert.equal(missing.available, false);
    assert.match(missing.available ? '' : missing.reason, /does not answer.*ENOENT/);

    const silentPath = join(keyring.env['HOME'] ?? '/tmp', 'silent.sock');
    const silent = createServer(() => {}); // accepts and never speaks
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(silentPath, resolve));
    const started = performance.now();
    const result = await checkSecretService({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${silentPath}` });
    const elapsed = performance.now() - started;
    assert.equal(result.available, false);
    assert.ok(elapsed > 900 && elapsed < 2500, `took ${elapsed} ms`);

    const abstract = await checkSecretService({ DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-x,guid=00' });
    assert.match(abstract.available ? '' : abstract.reason, /unix:abstract/);
  });

  it('is available with gnome-keyring, and open reuses the check\'s connection', async () => {
    const lines: string[] = [];
    const ctx = contextFor({ DBUS_SESSION_BUS_ADDRESS: keyring.address, AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME: 'vault-never-created' }, (line) => lines.push(line));
    const definition = await hook();
    assert.equal(await definition.isAvailable?.(ctx), true);
    const backend = (await definition.open(ctx)) as Backend & { close(): void };
    assert.deepEqual(await backend.keys(), []);
    backend.close();
    // usable again after close: it reconnects
    assert.deepEqual(await backend.keys(), []);
    backend.close();
  });
});

describe('secret-service: process lifetime', () => {
  it('lets a CLI process exit right after a get, without close()', async () => {
    await keyring.createCollection('vault-exit');
    await (await open('vault-exit')).set({ key: 'dev', data: bytes(SECRET) });
    const hookUrl = pathToFileURL(join(import.meta.dirname, 'hooks', 'backend.js')).href;
    const script = `
      const definition = await (await import(${JSON.stringify(hookUrl)})).default();
      const ctx = { env: process.env, homeDir: '/', askPassphrase: async () => '', debug: () => {} };
      if (!(await definition.isAvailable(ctx))) throw new Error('not available');
      const backend = await definition.open(ctx);
      process.stdout.write(new TextDecoder().decode((await backend.get('dev')).data));
    `;
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...keyring.env, AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME: 'vault-exit' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(killer);
    const elapsed = performance.now() - started;
    assert.equal(code, 0, err);
    assert.equal(out, SECRET);
    assert.ok(elapsed < 2000, `the child took ${Math.round(elapsed)} ms to exit`);
  });
});
