/**
 * The keychain backend over an in-memory emulation of `/usr/bin/security` (fakeSecurity.test.util.ts).
 * Why a fake: Linux CI has neither the macOS keychain nor the tool. The fake stands in only for the
 * process: the backend's real command lines, quoting, output parsing, error mapping, size limit,
 * keychain creation and unlock logic all run here; the emulation answers with the tool's output
 * formats and exit statuses. What only a Mac can show (dialogs, access lists, partition lists) is
 * listed in the README.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isItemNotFound } from '@awsvault/core';
import type { BackendContext } from '@awsvault/core';
import { backendContract, rejectsWithVaultError } from '@awsvault/core/testing';
import { FakeSecurity } from './fakeSecurity.test.util.js';
import hook from './hooks/backend.js';
import { KeychainBackend, openKeychainBackend } from './keychainBackend.js';
import { MAX_COMMAND_LINE_BYTES } from './securityTool.js';

const KC = '/Users/jon/Library/Keychains/aws-vault.keychain-db';
const LOGIN = '/Users/jon/Library/Keychains/login.keychain-db';
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const SECRET = '{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"do-not-print-me"}';

function setup(options: { existing?: boolean } = {}): { fake: FakeSecurity; backend: KeychainBackend; debug: string[] } {
  const fake = new FakeSecurity();
  if (options.existing ?? true) fake.addKeychain(KC);
  fake.addKeychain(LOGIN);
  fake.searchList = [LOGIN, KC];
  const debug: string[] = [];
  const backend = new KeychainBackend({ keychainPath: KC, os: fake, debug: (line) => debug.push(line) });
  return { fake, backend, debug };
}

function context(env: Record<string, string> = {}): BackendContext {
  return { env, homeDir: '/Users/jon', askPassphrase: async () => 'unused', debug: () => {} };
}

describe('keychain backend', () => {
  // `security -i` reads at most 4094 bytes per command line, and binary data goes hex-encoded, so
  // the contract's large item is sized to fit; larger ones are refused with KEYCHAIN_TOO_LARGE (below).
  backendContract('keychain (emulated security tool)', async () => setup().backend, { largeItemBytes: 1800 });
  backendContract('keychain (emulated security tool, keychain created on first write)', async () => setup({ existing: false }).backend, { largeItemBytes: 1800 });
});

describe('keychain backend: aws-vault layout', () => {
  it('stores service aws-vault, account = key, label, kind = description and the raw data', async () => {
    const { fake, backend } = setup();
    await backend.set({ key: 'sts.GetSessionToken,ZGV2,,1700000000', data: bytes('{"AccessKeyId":"ASIA"}'), label: 'aws-vault session for dev (expires x)', description: 'aws-vault session' });
    const item = fake.find(KC, 'sts.GetSessionToken,ZGV2,,1700000000');
    assert.ok(item);
    assert.equal(item.service.toString(), 'aws-vault');
    assert.equal(item.label?.toString(), 'aws-vault session for dev (expires x)');
    assert.equal(item.kind?.toString(), 'aws-vault session');
    assert.equal(item.data.toString(), '{"AccessKeyId":"ASIA"}');
    assert.equal(item.trusted, true, 'sessions trust the creating application, as in aws-vault');
  });

  it('marks master credentials untrusted (-T ""), so macOS asks before every read', async () => {
    const { fake, backend } = setup();
    await backend.set({ key: 'dev', data: bytes(SECRET), label: 'aws-vault (dev)' });
    assert.equal(fake.find(KC, 'dev')?.trusted, false);
    assert.equal(text((await backend.get('dev')).data), SECRET);
    assert.deepEqual(fake.dialogs, ['confirm access']);
    await backend.set({ key: 'oidc:https://x.awsapps.com/start', data: bytes('{}') });
    assert.equal(fake.find(KC, 'oidc:https://x.awsapps.com/start')?.trusted, true);
  });

  it('reads items aws-vault wrote, with label, description and modification time', async () => {
    const { fake, backend } = setup();
    const modified = new Date('2024-02-01T08:09:05Z');
    fake.addItem(KC, { account: 'jonsmith', data: '{"AccessKeyID":"ABC","SecretAccessKey":"XYZ"}', label: 'aws-vault (jonsmith)', kind: null, trusted: false, modified });
    fake.addItem(KC, { account: 'oidc:https://x.awsapps.com/start', data: '{"Token":{"AccessToken":"t\\u003c"}}', label: 'aws-vault oidc token for https://x.awsapps.com/start (expires 2024)', kind: 'aws-vault oidc token' });
    const item = await backend.get('jonsmith');
    assert.deepEqual({ ...item, data: text(item.data) }, { key: 'jonsmith', data: '{"AccessKeyID":"ABC","SecretAccessKey":"XYZ"}', label: 'aws-vault (jonsmith)' });
    assert.deepEqual(await backend.getMetadata('jonsmith'), { key: 'jonsmith', label: 'aws-vault (jonsmith)', modificationTime: modified });
    const token = await backend.get('oidc:https://x.awsapps.com/start');
    assert.equal(text(token.data), '{"Token":{"AccessToken":"t\\u003c"}}');
    assert.equal(token.description, 'aws-vault oidc token');
    assert.deepEqual((await backend.keys()).sort(), ['jonsmith', 'oidc:https://x.awsapps.com/start']);
  });

  it('lists only generic passwords of service aws-vault in its own keychain', async () => {
    const { fake, backend } = setup();
    fake.addItem(KC, { account: 'dev', data: 'x' });
    fake.addItem(KC, { account: 'wifi', data: 'x', service: 'AirPort' });
    fake.addItem(KC, { account: 'site', data: 'x', itemClass: '"inet"' });
    fake.addItem(KC, { account: 'key', data: 'x', itemClass: '0x0000000F ' });
    fake.addItem(LOGIN, { account: 'elsewhere', data: 'x' });
    fake.addItem(KC, { account: Buffer.from([0x70, 0xc3, 0xb8]), data: 'x' });
    assert.deepEqual((await backend.keys()).sort(), ['dev', 'pø']);
  });

  it('round-trips data with NUL and newline bytes (sent as -X hex) and empty data', async () => {
    const { fake, backend } = setup();
    const data = new Uint8Array([0x7b, 0x0a, 0x00, 0xff, 0x5c, 0x22, 0x7d]);
    await backend.set({ key: 'binary', data });
    assert.deepEqual(Buffer.from((await backend.get('binary')).data), Buffer.from(data));
    assert.match(fake.calls.at(-1)?.args.join(' ') ?? '', /find-generic-password/);
    await backend.set({ key: 'empty', data: new Uint8Array(0) });
    assert.equal((await backend.get('empty')).data.length, 0);
  });
});

describe('keychain backend: no secret on a command line', () => {
  it('passes item data only on the standard input of security -i', async () => {
    const { fake, backend } = setup();
    const secrets = [SECRET, 'with "quotes" and \\backslashes\\', 'prød-ü'];
    for (const [index, secret] of secrets.entries()) {
      await backend.set({ key: `k${index}`, data: bytes(secret), label: 'l' });
      await backend.set({ key: `k${index}`, data: bytes(`${secret} v2`), label: 'l2' });
      await backend.get(`k${index}`);
      await backend.getMetadata(`k${index}`);
    }
    await backend.keys();
    await backend.remove('k0');
    for (const call of fake.calls) {
      for (const secret of secrets) assert.ok(!call.args.some((arg) => arg.includes(secret) || arg.includes('do-not-print')), `argv ${JSON.stringify(call.args)}`);
      if (call.args[0] === '-i') assert.deepEqual(call.args, ['-i']);
    }
    const interactive = fake.calls.filter((call) => call.stdin !== undefined);
    assert.ok(interactive.length >= secrets.length * 2);
    assert.ok(interactive.every((call) => call.stdin?.toString().startsWith('add-generic-password ')));
  });

  it('never puts item data in debug output or error messages', async () => {
    const { fake, backend, debug } = setup();
    await backend.set({ key: 'dev', data: bytes(SECRET) });
    fake.dialog = 'deny';
    await rejectsWithVaultError(backend.get('dev'), 'KEYCHAIN_ACCESS_DENIED');
    fake.dialog = 'allow';
    await backend.get('dev');
    assert.ok(debug.length > 0);
    assert.ok(debug.every((line) => !line.includes('do-not-print-me')));
  });
});

describe('keychain backend: updates', () => {
  it('updates an existing item in place with -U (its access list and creation date stay)', async () => {
    const { fake, backend } = setup();
    await backend.set({ key: 'dev', data: bytes('one'), label: 'aws-vault (dev)' });
    const created = fake.find(KC, 'dev')?.created;
    fake.clock = () => new Date(Date.now() + 60_000);
    await backend.set({ key: 'dev', data: bytes('two'), label: 'renamed', description: 'now described' });
    const item = fake.find(KC, 'dev');
    assert.equal(item?.trusted, false);
    assert.equal(item?.created, created);
    assert.equal(item?.label?.toString(), 'renamed');
    assert.equal(item?.kind?.toString(), 'now described');
    const adds = fake.calls.filter((call) => call.stdin !== undefined).map((call) => call.stdin?.toString() ?? '');
    assert.equal(adds.length, 3, 'add, then add -U after the duplicate');
    assert.ok(adds[2]?.startsWith('add-generic-password -U ') && !adds[2].includes('-T'));
    const meta = await backend.getMetadata('dev');
    assert.equal(meta.label, 'renamed');
    assert.equal(meta.description, 'now described');
  });
});

describe('keychain backend: replacing an item -U cannot update', () => {
  it('deletes and adds it again when -U reports a duplicate', async () => {
    const { fake, backend } = setup();
    fake.updateMatchesAllAttributes = true;
    await backend.set({ key: 'dev', data: bytes('one'), label: 'old label' });
    await backend.set({ key: 'dev', data: bytes('two'), label: 'new label' });
    assert.equal(text((await backend.get('dev')).data), 'two');
    assert.equal(fake.find(KC, 'dev')?.label?.toString(), 'new label');
    assert.equal(fake.find(KC, 'dev')?.trusted, false, 'the new item is untrusted again');
    assert.deepEqual(
      fake.calls.filter((call) => call.args[0] !== 'find-generic-password').map((call) => (call.stdin?.toString() ?? call.args.join(' ')).split(' ').slice(0, 2).join(' ')),
      ['add-generic-password -s', 'add-generic-password -s', 'add-generic-password -U', `delete-generic-password -s`, 'add-generic-password -s'],
    );
  });
});

describe('keychain backend: limits and invalid input', () => {
  it('refuses an item whose command line would not fit, before running security', async () => {
    const { fake, backend } = setup();
    await rejectsWithVaultError(backend.set({ key: 'big', data: new Uint8Array(16 * 1024).map((_, i) => (i * 7) % 256) }), 'KEYCHAIN_TOO_LARGE', /item "big" is too large .*16384 bytes .*hex-encoded/);
    assert.equal(fake.calls.length, 0);
    // Find the largest JSON payload that fits for this key and label: it is stored; one byte more is refused.
    const label = 'aws-vault oidc token for https://x.awsapps.com/start (expires 2024-01-01T20:00:00+10:00)';
    let size = 3000;
    while (true) {
      try {
        await backend.set({ key: 'oidc:https://x.awsapps.com/start', data: bytes(`"${'a'.repeat(size)}"`), label });
        size += 1;
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'KEYCHAIN_TOO_LARGE');
        break;
      }
    }
    const stored = await backend.get('oidc:https://x.awsapps.com/start');
    assert.equal(stored.data.length, size + 1, 'the last size that fitted is stored byte for byte');
    assert.ok(size > 3700, `about 3.8 KB of JSON fits, got ${size}`);
    const longest = Math.max(...fake.calls.filter((call) => call.stdin).map((call) => (call.stdin?.length ?? 0) - 1));
    assert.ok(longest <= MAX_COMMAND_LINE_BYTES);
  });

  it('refuses keys, labels and descriptions a command line cannot carry', async () => {
    const { backend } = setup();
    await rejectsWithVaultError(backend.set({ key: 'a\nb', data: bytes('x') }), 'KEYCHAIN_INVALID_KEY', /line break/);
    await rejectsWithVaultError(backend.get('a\0b'), 'KEYCHAIN_INVALID_KEY', /NUL/);
    await rejectsWithVaultError(backend.get(''), 'KEYCHAIN_INVALID_KEY', /empty/);
    await rejectsWithVaultError(backend.set({ key: 'k', data: bytes('x'), label: 'two\nlines' }), 'KEYCHAIN_INVALID_ITEM', /label/);
  });
});

describe('keychain backend: the keychain file', () => {
  it('reads nothing and creates nothing while the keychain does not exist', async () => {
    const { fake, backend } = setup({ existing: false });
    assert.deepEqual(await backend.keys(), []);
    await assert.rejects(backend.get('dev'), (e: unknown) => isItemNotFound(e));
    await assert.rejects(backend.getMetadata('dev'), (e: unknown) => isItemNotFound(e));
    await assert.rejects(backend.remove('dev'), (e: unknown) => isItemNotFound(e));
    assert.equal(fake.calls.length, 0);
    assert.equal(fake.keychains.has(KC), false);
  });

  it('creates it once on the first write, with the password asked by macOS (create-keychain -P)', async () => {
    const { fake, backend } = setup({ existing: false });
    await Promise.all([backend.set({ key: 'a', data: bytes('1') }), backend.set({ key: 'b', data: bytes('2') })]);
    assert.deepEqual(
      fake.calls.filter((call) => call.args[0] === 'create-keychain').map((call) => call.args),
      [['create-keychain', '-P', KC]],
    );
    assert.deepEqual(fake.dialogs, ['new keychain password']);
    assert.deepEqual((await backend.keys()).sort(), ['a', 'b']);
  });

  it('reports a cancelled or impossible creation', async () => {
    const cancelled = setup({ existing: false });
    cancelled.fake.dialog = 'cancel';
    await rejectsWithVaultError(cancelled.backend.set({ key: 'a', data: bytes('1') }), 'KEYCHAIN_CANCELLED');
    const headless = setup({ existing: false });
    headless.fake.gui = false;
    await rejectsWithVaultError(headless.backend.set({ key: 'a', data: bytes('1') }), 'KEYCHAIN_CREATE_FAILED', /no GUI/);
  });

  it('never takes an item from another keychain when its own cannot be opened', async () => {
    const { fake, backend } = setup();
    fake.addItem(KC, { account: 'dev', data: 'mine' });
    fake.addItem(LOGIN, { account: 'dev', data: 'someone else\'s' });
    fake.addItem(LOGIN, { account: 'other', data: 'someone else\'s' });
    // The tool then searches the search list (login first) and prints each item's keychain.
    fake.openFails = true;
    await assert.rejects(backend.get('dev'), (e: unknown) => isItemNotFound(e));
    await assert.rejects(backend.getMetadata('dev'), (e: unknown) => isItemNotFound(e));
    await assert.rejects(backend.remove('dev'), (e: unknown) => isItemNotFound(e));
    assert.deepEqual(await backend.keys(), ['dev'], 'only the item printed with its own keychain');
    assert.ok(fake.find(LOGIN, 'dev'), 'the login keychain item is untouched');
    assert.ok(fake.find(KC, 'dev'));
  });
});

describe('keychain backend: locked keychains and dialogs', () => {
  it('without a GUI, unlocks once with unlock-keychain (the tool asks on the terminal) and retries', async () => {
    const { fake, backend } = setup();
    await backend.set({ key: 'sts.GetSessionToken,ZGV2,,1700000000', data: bytes('s') });
    const keychain = fake.keychains.get(KC);
    assert.ok(keychain);
    keychain.locked = true;
    fake.gui = false;
    fake.terminalPassword = 'pw';
    const [a, b] = await Promise.all([backend.get('sts.GetSessionToken,ZGV2,,1700000000'), backend.get('sts.GetSessionToken,ZGV2,,1700000000')]);
    assert.equal(text(a.data), 's');
    assert.equal(text(b.data), 's');
    assert.equal(fake.calls.filter((call) => call.args[0] === 'unlock-keychain').length, 1);
    assert.deepEqual(fake.calls.find((call) => call.args[0] === 'unlock-keychain')?.args, ['unlock-keychain', KC]);
  });

  it('says why the keychain stays locked: no terminal, wrong password', async () => {
    const { fake, backend } = setup();
    await backend.set({ key: 'sts.GetSessionToken,ZGV2,,1700000000', data: bytes('s') });
    (fake.keychains.get(KC) ?? assert.fail()).locked = true;
    fake.gui = false;
    await rejectsWithVaultError(backend.get('sts.GetSessionToken,ZGV2,,1700000000'), 'KEYCHAIN_LOCKED', /no terminal/);
    fake.terminalPassword = 'wrong';
    await rejectsWithVaultError(backend.set({ key: 'x', data: bytes('1') }), 'KEYCHAIN_LOCKED', /password was not correct/);
  });

  it('reads attributes of a locked keychain without unlocking it', async () => {
    const { fake, backend } = setup();
    await backend.set({ key: 'dev', data: bytes('s'), label: 'aws-vault (dev)' });
    (fake.keychains.get(KC) ?? assert.fail()).locked = true;
    fake.gui = false;
    assert.deepEqual(await backend.keys(), ['dev']);
    assert.equal((await backend.getMetadata('dev')).label, 'aws-vault (dev)');
    assert.equal(fake.calls.filter((call) => call.args[0] === 'unlock-keychain').length, 0);
  });

  it('reports a cancelled dialog, a denied read and a confirmation that cannot be shown', async () => {
    const { fake, backend } = setup();
    await backend.set({ key: 'dev', data: bytes(SECRET) });
    fake.dialog = 'cancel';
    await rejectsWithVaultError(backend.get('dev'), 'KEYCHAIN_CANCELLED');
    fake.dialog = 'deny';
    await rejectsWithVaultError(backend.get('dev'), 'KEYCHAIN_ACCESS_DENIED', /item "dev"/);
    fake.dialog = 'allow';
    fake.gui = false;
    fake.terminalPassword = 'pw';
    await rejectsWithVaultError(backend.get('dev'), 'KEYCHAIN_LOCKED', /confirmation/);
  });
});

describe('keychain backend: opening and the hook', () => {
  it('is unavailable off macOS', async () => {
    await rejectsWithVaultError(openKeychainBackend(context(), { platform: 'linux' }), 'BACKEND_UNAVAILABLE', /only on macOS \(this is linux\)/);
    await rejectsWithVaultError(openKeychainBackend(context(), { platform: 'darwin', securityTool: '/nonexistent/security' }), 'BACKEND_UNAVAILABLE', /missing/);
    if (process.platform !== 'darwin') {
      assert.equal(await (await hook()).isAvailable?.(context()), false);
      await rejectsWithVaultError((await hook()).open(context()), 'BACKEND_UNAVAILABLE');
    }
  });

  it('names the keychain from AWS_VAULT_KEYCHAIN_NAME, default aws-vault', async () => {
    const fake = new FakeSecurity();
    const opts = { platform: 'darwin' as const, securityTool: process.execPath, os: fake };
    assert.equal((await openKeychainBackend(context(), opts)).keychainPath, KC);
    assert.equal((await openKeychainBackend(context({ AWS_VAULT_KEYCHAIN_NAME: 'work' }), opts)).keychainPath, '/Users/jon/Library/Keychains/work.keychain-db');
    await rejectsWithVaultError(openKeychainBackend(context({ AWS_VAULT_KEYCHAIN_NAME: '../login' }), opts), 'KEYCHAIN_INVALID_SETTING');
  });

  it('opens another tool\'s items with VAULT_KEYRING_SERVICE: granted\'s service in the login keychain', async () => {
    const fake = new FakeSecurity();
    fake.addKeychain(LOGIN);
    fake.searchList = [LOGIN];
    const granted = '{"AccessKeyID":"AKIAGRANTED","SecretAccessKey":"s"}';
    fake.addItem(LOGIN, { account: 'dev', data: granted, service: 'granted-aws-iam-credentials' });
    fake.addItem(LOGIN, { account: 'other', data: 'x' }); // service aws-vault: not granted's
    const env = { AWS_VAULT_KEYCHAIN_NAME: 'login', VAULT_KEYRING_SERVICE: 'granted-aws-iam-credentials' };
    const backend = await openKeychainBackend(context(env), { platform: 'darwin', securityTool: process.execPath, os: fake });
    assert.equal(backend.service, 'granted-aws-iam-credentials');
    assert.deepEqual(await backend.keys(), ['dev']);
    assert.equal(text((await backend.get('dev')).data), granted);
    assert.ok(isItemNotFound(await backend.get('other').catch((error: unknown) => error)));
    await backend.set({ key: 'added', data: bytes('y') });
    assert.ok(fake.find(LOGIN, 'added', 'granted-aws-iam-credentials'));
    assert.equal(fake.find(LOGIN, 'added'), undefined);
    await rejectsWithVaultError(openKeychainBackend(context({ VAULT_KEYRING_SERVICE: 'a\u0000b' }), { platform: 'darwin', securityTool: process.execPath, os: fake }), 'KEYRING_SERVICE_INVALID');
  });

  it('declares the keychain backend', async () => {
    const definition = await hook();
    assert.equal(definition.name, 'keychain');
    assert.equal(definition.kind, 'backend');
  });
});
