/**
 * The wincred backend over an in-memory Credential Manager (fakeWincred.test.util.ts). Why a fake:
 * Linux CI has no advapi32 and no PowerShell. The fake keeps Windows' rules (case-insensitive target
 * names, ERROR_NOT_FOUND for a missing credential and an empty enumeration, the 2,560-byte blob
 * limit); target names, key listing, the size check, error mapping and availability run for real.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isItemNotFound } from '@awsvault/core';
import type { BackendContext } from '@awsvault/core';
import { backendContract, rejectsWithVaultError } from '@awsvault/core/testing';
import { FakeWincred } from './fakeWincred.test.util.js';
import hook from './hooks/backend.js';
import { PowershellFailure } from './powershellWincred.js';
import { keyFromTargetName, openWincredBackend, targetNameFor, WincredBackend } from './wincredBackend.js';
import { CRED_MAX_CREDENTIAL_BLOB_SIZE } from './wincredOs.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

function setup(): { fake: FakeWincred; backend: WincredBackend; debug: string[] } {
  const fake = new FakeWincred();
  const debug: string[] = [];
  return { fake, backend: new WincredBackend({ os: fake, debug: (line) => debug.push(line) }), debug };
}

function context(env: Record<string, string> = {}): BackendContext {
  return { env, homeDir: 'C:\\Users\\jon', askPassphrase: async () => 'unused', debug: () => {} };
}

describe('wincred backend', () => {
  // Windows keeps at most 2,560 bytes per credential (CRED_MAX_CREDENTIAL_BLOB_SIZE): the contract's
  // large item is that size; larger ones are refused with WINCRED_TOO_LARGE (below).
  backendContract('wincred (in-memory Credential Manager)', async () => setup().backend, { largeItemBytes: 2560 });
});

describe('wincred backend: aws-vault layout', () => {
  it('stores a generic credential aws-vault:aws-vault:<key> holding the raw data, no user name', async () => {
    const { fake, backend } = setup();
    const data = '{"AccessKeyID":"AKIA","SecretAccessKey":"S"}';
    await backend.set({ key: 'team/dev', data: bytes(data), label: 'aws-vault (team/dev)', description: 'ignored' });
    const credential = fake.get('aws-vault:aws-vault:team/dev');
    assert.ok(credential);
    assert.equal(credential.targetName, 'aws-vault:aws-vault:team/dev');
    assert.equal(credential.blob.toString(), data);
    assert.equal(credential.userName, null);
    assert.deepEqual(fake.calls.at(-1), { op: 'write', target: 'aws-vault:aws-vault:team/dev', blobBytes: data.length });
  });

  it('reads what aws-vault stored, and reports LastWritten as the modification time', async () => {
    const { fake, backend } = setup();
    const written = new Date('2024-03-01T10:00:00Z');
    fake.put('aws-vault:aws-vault:jonsmith', '{"AccessKeyID":"ABC","SecretAccessKey":"XYZ"}', { lastWritten: written });
    const item = await backend.get('jonsmith');
    assert.deepEqual({ ...item, data: text(item.data) }, { key: 'jonsmith', data: '{"AccessKeyID":"ABC","SecretAccessKey":"XYZ"}' });
    assert.deepEqual(await backend.getMetadata('jonsmith'), { key: 'jonsmith', modificationTime: written });
    assert.equal(fake.calls.at(-1)?.op, 'stat', 'metadata does not fetch the blob');
  });

  it('lists generic credentials under the prefix only, whatever the prefix\'s case', async () => {
    const { fake, backend } = setup();
    fake.put('aws-vault:aws-vault:dev', 'x');
    fake.put('AWS-VAULT:AWS-VAULT:upper', 'x');
    fake.put('aws-vault:aws-vault:domain', 'x', { type: 2 });
    fake.put('aws-vault:other:dev', 'x');
    fake.put('git:https://github.com', 'x');
    assert.deepEqual((await backend.keys()).sort(), ['dev', 'upper']);
    assert.deepEqual(fake.calls.at(-1), { op: 'enumerate', target: 'aws-vault:aws-vault:*' });
  });

  it('treats keys that differ only in case as one credential, as Windows does', async () => {
    const { backend } = setup();
    await backend.set({ key: 'Dev', data: bytes('one') });
    assert.equal(text((await backend.get('dev')).data), 'one');
    await backend.set({ key: 'DEV', data: bytes('two') });
    assert.deepEqual(await backend.keys(), ['DEV']);
  });

  it('maps target names to keys and back', () => {
    assert.equal(targetNameFor('oidc:https://x.awsapps.com/start'), 'aws-vault:aws-vault:oidc:https://x.awsapps.com/start');
    assert.equal(keyFromTargetName('aws-vault:aws-vault:a:b'), 'a:b');
    assert.equal(keyFromTargetName('Aws-Vault:Aws-Vault:x'), 'x');
    assert.equal(keyFromTargetName('aws-vault:x'), undefined);
  });
});

describe('wincred backend: limits', () => {
  it('stores 2,560 bytes, and refuses an item one byte larger before calling Windows', async () => {
    const { fake, backend } = setup();
    const full = new Uint8Array(CRED_MAX_CREDENTIAL_BLOB_SIZE).map((_, i) => i % 256);
    await backend.set({ key: 'sso', data: full });
    assert.deepEqual(Buffer.from((await backend.get('sso')).data), Buffer.from(full));
    const calls = fake.calls.length;
    await rejectsWithVaultError(
      backend.set({ key: 'oidc:https://x.awsapps.com/start', data: new Uint8Array(2561) }),
      'WINCRED_TOO_LARGE',
      /item "oidc:https:\/\/x.awsapps.com\/start" is 2561 bytes: .* at most 2560 bytes/,
    );
    await rejectsWithVaultError(backend.set({ key: 'big', data: new Uint8Array(16 * 1024) }), 'WINCRED_TOO_LARGE', /16384 bytes/);
    assert.equal(fake.calls.length, calls);
    await assert.rejects(backend.set({ key: 'big', data: new Uint8Array(16 * 1024) }), (error: unknown) => {
      assert.match(String((error as { hint?: string }).hint), /another backend, e\.g\. --backend file/);
      return true;
    });
  });

  it('refuses keys no target name can hold', async () => {
    const { backend } = setup();
    await rejectsWithVaultError(backend.get(''), 'WINCRED_INVALID_KEY', /empty/);
    await rejectsWithVaultError(backend.set({ key: 'a\0b', data: bytes('x') }), 'WINCRED_INVALID_KEY', /NUL/);
    await rejectsWithVaultError(backend.remove('k'.repeat(32767)), 'WINCRED_INVALID_KEY', /longer than 32767/);
  });
});

describe('wincred backend: errors', () => {
  it('maps ERROR_NOT_FOUND to ITEM_NOT_FOUND and an empty enumeration to no keys', async () => {
    const { fake, backend } = setup();
    await assert.rejects(backend.get('nope'), (error: unknown) => isItemNotFound(error) && /item "nope" not found in the Windows Credential Manager/.test((error as Error).message));
    await assert.rejects(backend.remove('nope'), (error: unknown) => isItemNotFound(error));
    await assert.rejects(backend.getMetadata('nope'), (error: unknown) => isItemNotFound(error));
    assert.deepEqual(await backend.keys(), []);
    assert.deepEqual(fake.calls.map((call) => call.op), ['read', 'delete', 'stat', 'enumerate']);
  });

  it('explains a logon session without Credential Manager', async () => {
    const { fake, backend } = setup();
    fake.failWith = 1312;
    await assert.rejects(backend.keys(), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'WINCRED_FAILED');
      assert.match((error as Error).message, /cannot list the items in the Windows Credential Manager: CredEnumerateW failed: A specified logon session does not exist.* \(Windows error 1312\)/);
      assert.match(String((error as { hint?: string }).hint), /no Credential Manager/);
      return true;
    });
    fake.failWith = 1783;
    await rejectsWithVaultError(backend.set({ key: 'k', data: bytes('x') }), 'WINCRED_FAILED', /store item "k"/);
  });

  it('reports a PowerShell that could not answer, with a hint', async () => {
    const broken = new FakeWincred();
    broken.read = async () => {
      throw new PowershellFailure('Windows PowerShell failed in CredReadW: PowerShell gave no answer (Add-Type : Cannot add type.)');
    };
    const backend = new WincredBackend({ os: broken });
    await assert.rejects(backend.get('dev'), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'WINCRED_FAILED');
      assert.match((error as Error).message, /cannot read item "dev" in the Windows Credential Manager: Windows PowerShell failed/);
      assert.match(String((error as { hint?: string }).hint), /Constrained Language Mode/);
      return true;
    });
  });

  it('never puts item data in debug output or errors', async () => {
    const { fake, backend, debug } = setup();
    await backend.set({ key: 'dev', data: bytes('do-not-print-me') });
    await backend.get('dev');
    fake.failWith = 5;
    await rejectsWithVaultError(backend.get('dev'), 'WINCRED_FAILED');
    assert.ok(debug.length >= 3);
    assert.ok(debug.every((line) => !line.includes('do-not-print-me')));
  });
});

describe('wincred backend: opening and the hook', () => {
  it('is unavailable off Windows', async () => {
    await rejectsWithVaultError(openWincredBackend(context(), { platform: 'linux' }), 'BACKEND_UNAVAILABLE', /only on Windows \(this is linux\)/);
    if (process.platform !== 'win32') {
      const definition = await hook();
      assert.equal(await definition.isAvailable?.(context()), false);
      await rejectsWithVaultError(definition.open(context()), 'BACKEND_UNAVAILABLE');
    }
  });

  it('opens on Windows with the given OS layer', async () => {
    const fake = new FakeWincred();
    const backend = await openWincredBackend(context(), { platform: 'win32', os: fake });
    await backend.set({ key: 'k', data: bytes('v') });
    assert.equal(fake.get('aws-vault:aws-vault:k')?.blob.toString(), 'v');
  });

  it('opens another tool\'s credentials with VAULT_KEYRING_SERVICE: granted\'s <service>:<service>:<key> targets', async () => {
    const fake = new FakeWincred();
    fake.put('granted-aws-iam-credentials:granted-aws-iam-credentials:dev', '{"AccessKeyID":"A","SecretAccessKey":"S"}');
    fake.put('aws-vault:aws-vault:mine', 'x');
    const backend = await openWincredBackend(context({ VAULT_KEYRING_SERVICE: 'granted-aws-iam-credentials' }), { platform: 'win32', os: fake });
    assert.equal(backend.targetPrefix, 'granted-aws-iam-credentials:granted-aws-iam-credentials:');
    assert.deepEqual(await backend.keys(), ['dev']);
    assert.deepEqual(fake.calls.at(-1), { op: 'enumerate', target: 'granted-aws-iam-credentials:granted-aws-iam-credentials:*' });
    assert.equal(text((await backend.get('dev')).data), '{"AccessKeyID":"A","SecretAccessKey":"S"}');
    assert.ok(isItemNotFound(await backend.get('mine').catch((error: unknown) => error)));
  });

  it('declares the wincred backend', async () => {
    const definition = await hook();
    assert.equal(definition.name, 'wincred');
    assert.equal(definition.kind, 'backend');
  });
});
