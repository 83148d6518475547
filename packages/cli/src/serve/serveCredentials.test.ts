import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VaultError, type Credentials, type ProfileConfig } from '@awsvault/core';
import { ServeCredentials, type ProfileProviders } from './serveCredentials.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Providers that count their calls and hand out credentials living `lifetimeMs`. */
function fakeProviders(lifetimeMs: number, backgroundFails = false) {
  const calls = { interactive: 0, background: 0, factory: 0 };
  let n = 0;
  const make = (): Credentials => ({ accessKeyId: `ASIAFAKE${String(++n).padStart(12, '0')}`, secretAccessKey: `secret${n}`.padEnd(40, 'x'), sessionToken: `token${n}`, expiration: new Date(Date.now() + lifetimeMs) });
  const factory = async (name: string): Promise<ProfileProviders> => {
    calls.factory++;
    if (name === 'nosuch') throw new VaultError('PROFILE_NOT_FOUND', `profile ${name} not found`);
    await sleep(5);
    return {
      profile: { name } as ProfileConfig,
      interactive: async () => {
        calls.interactive++;
        await sleep(20);
        return make();
      },
      background: async () => {
        calls.background++;
        if (backgroundFails) throw new VaultError('NON_INTERACTIVE', `profile ${name} needs an MFA code`);
        return make();
      },
    };
  };
  return { calls, factory };
}

describe('ServeCredentials', () => {
  it('parallel first requests share one resolution and one fetch', async () => {
    const { calls, factory } = fakeProviders(60 * 60_000);
    const creds = new ServeCredentials(factory, { windowMs: 5 * 60_000 });
    const got = await Promise.all(Array.from({ length: 10 }, () => creds.get('dev')));
    assert.equal(new Set(got.map((c) => c.accessKeyId)).size, 1);
    assert.deepEqual(calls, { interactive: 1, background: 0, factory: 1 });
    assert.deepEqual(creds.secrets().sort(), [got[0]!.accessKeyId, got[0]!.secretAccessKey, got[0]!.sessionToken].sort());
    creds.close();
  });

  it('refreshes in the background with the provider that never asks, before expiry and with no request', async () => {
    // Refresh time: 1 s before the 2.4 s expiry (past half the lifetime and the 1 s minimum).
    const { calls, factory } = fakeProviders(2400);
    const creds = new ServeCredentials(factory, { windowMs: 1000 });
    const first = await creds.get('dev');
    await sleep(1700);
    assert.equal(calls.background, 1, 'refreshed at the refresh time');
    assert.equal(calls.interactive, 1);
    const second = await creds.get('dev');
    assert.notEqual(second.accessKeyId, first.accessKeyId);
    assert.ok(Date.now() < first.expiration!.getTime(), 'before the first credentials expired');
    creds.close();
  });

  it('a background refresh that would need a prompt keeps the held credentials; a later request refreshes interactively', async () => {
    const { calls, factory } = fakeProviders(2000, true);
    const creds = new ServeCredentials(factory, { windowMs: 1000 });
    const first = await creds.get('dev');
    await sleep(1150);
    assert.equal(calls.background, 1);
    assert.equal((await creds.get('dev')).accessKeyId, first.accessKeyId, 'still valid: served within a second of the failure');
    await sleep(1000);
    const later = await creds.get('dev');
    assert.notEqual(later.accessKeyId, first.accessKeyId);
    assert.equal(calls.interactive, 2, 'the request refreshed with the interactive provider');
    creds.close();
  });

  it('does not hold a profile that cannot be resolved (fixing the config needs no restart)', async () => {
    const { calls, factory } = fakeProviders(60_000);
    const creds = new ServeCredentials(factory, { windowMs: 1000 });
    await assert.rejects(creds.get('nosuch'), { code: 'PROFILE_NOT_FOUND' });
    await assert.rejects(creds.get('nosuch'), { code: 'PROFILE_NOT_FOUND' });
    assert.equal(calls.factory, 2);
    creds.close();
  });

  it('stops refreshing when closed', async () => {
    const { calls, factory } = fakeProviders(2400);
    const creds = new ServeCredentials(factory, { windowMs: 1000 });
    await creds.get('dev');
    creds.close();
    await sleep(1700);
    assert.equal(calls.background, 0);
  });
});
