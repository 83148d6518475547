import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVaultError, type OidcClientRegistration } from '@awsvault/core';
import { deviceLogin } from './deviceLogin.js';
import { FakeIdentityCenter, fakeIo } from './fakeSsoApi.test.util.js';

const site = { profileName: 'dev', startUrl: 'https://corp.awsapps.com/start' };

async function setup(tty = false) {
  const idc = new FakeIdentityCenter();
  const api = await idc.oidc();
  const out = await api.registerClient({ clientName: 'vault', clientType: 'public' });
  const client: OidcClientRegistration = { clientId: out.clientId, clientSecret: out.clientSecret, expiresAt: new Date(out.clientSecretExpiresAt * 1000), scopes: [], region: 'eu-west-1', flow: 'device' };
  const io = fakeIo(idc, { tty });
  return { idc, io, login: () => deviceLogin({ api, client, site, printOnly: true, io, debug: () => {} }) };
}

async function fails(promise: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isVaultError(error));
    return error;
  }
  assert.fail('expected an error');
}

describe('deviceLogin', () => {
  it('polls at the interval the service gives until the person approves', async () => {
    const s = await setup();
    s.idc.interval = 2;
    s.idc.person = { approveAfterPolls: 3 };
    const token = await s.login();
    assert.match(token.accessToken, /^access-/);
    assert.deepEqual(s.io.sleeps, [2000, 2000, 2000]);
  });

  it('waits 5 seconds longer after each slow_down and keeps polling', async () => {
    const s = await setup();
    s.idc.slowDowns = 2;
    s.idc.person = { approveAfterPolls: 1 };
    await s.login();
    assert.deepEqual(s.io.sleeps, [1000, 6000, 11000]);
  });

  it('turns expired_token into one line naming the profile and start URL', async () => {
    const s = await setup();
    s.idc.person = 'never';
    const error = await fails(s.login());
    assert.equal(error.code, 'SSO_LOGIN_EXPIRED');
    assert.equal(error.message, 'profile dev: the SSO sign-in request for https://corp.awsapps.com/start expired before it was approved');
    assert.equal(error.hint, 'run the command again and approve the request within 10m0s');
  });

  it('turns access_denied into one line', async () => {
    const s = await setup();
    s.idc.person = 'deny';
    const error = await fails(s.login());
    assert.equal(error.code, 'SSO_LOGIN_DENIED');
    assert.match(error.message, /^profile dev: the SSO sign-in request for https:\/\/corp\.awsapps\.com\/start was denied in the browser$/);
  });

  it('shows a waiting indicator only when stderr is a terminal', async () => {
    const plain = await setup(false);
    await plain.login();
    assert.doesNotMatch(plain.io.output(), /Waiting/);
    const tty = await setup(true);
    await tty.login();
    assert.match(tty.io.output(), /\r. Waiting for the request to be approved in the browser 0:00\x1b\[K/);
    assert.ok(tty.io.output().endsWith('\r\x1b[K'), 'the indicator is erased when done');
  });
});
