import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isVaultError, type OidcClientRegistration } from '@awsvault/core';
import { browserThatSignsIn, FakeIdentityCenter, fakeIo } from './fakeSsoApi.test.util.js';
import type { OpenResult } from './openBrowser.js';
import { authorizeUrl, pkceLogin, pkcePair } from './pkceLogin.js';

const site = { profileName: 'dev', startUrl: 'https://corp.awsapps.com/start' };

async function setup(browser: (idc: FakeIdentityCenter) => (url: string) => Promise<OpenResult>, extra: { fallBackWithoutBrowser?: boolean; waitMs?: number; printOnly?: boolean } = {}) {
  const idc = new FakeIdentityCenter();
  const api = await idc.oidc();
  const out = await api.registerClient({ clientName: 'vault', clientType: 'public', scopes: ['sso:account:access'] });
  const client: OidcClientRegistration = { clientId: out.clientId, clientSecret: out.clientSecret, expiresAt: new Date(out.clientSecretExpiresAt * 1000), scopes: ['sso:account:access'], region: 'eu-west-1', flow: 'pkce' };
  const io = fakeIo(idc, { browser: browser(idc) });
  const login = () =>
    pkceLogin({ api, client, site, scopes: ['sso:account:access'], authorizeEndpoint: 'https://oidc.eu-west-1.amazonaws.com/authorize', printOnly: extra.printOnly ?? false, fallBackWithoutBrowser: extra.fallBackWithoutBrowser ?? false, io, debug: () => {}, ...(extra.waitMs ? { waitMs: extra.waitMs } : {}) });
  return { idc, io, login };
}

describe('pkceLogin', () => {
  it('makes an S256 challenge of a 64-character verifier', () => {
    const { verifier, challenge } = pkcePair();
    assert.match(verifier, /^[\w-]{64}$/);
    assert.equal(challenge, createHash('sha256').update(verifier).digest('base64url'));
    const url = new URL(authorizeUrl('https://oidc.x/authorize', { clientId: 'c', redirectUri: 'http://127.0.0.1:1/oauth/callback', state: 's', challenge, scopes: ['a', 'b'] }));
    assert.deepEqual(Object.fromEntries(url.searchParams), { response_type: 'code', client_id: 'c', redirect_uri: 'http://127.0.0.1:1/oauth/callback', state: 's', code_challenge_method: 'S256', scopes: 'a b', code_challenge: challenge });
  });

  it('redeems the code that comes back with the right state, with the verifier', async () => {
    const s = await setup((idc) => browserThatSignsIn(idc));
    const token = await s.login();
    assert.match(token?.accessToken ?? '', /^access-/);
    assert.ok(token?.refreshToken);
    assert.equal(s.idc.calls.code, 1);
    assert.match(s.io.output(), /^Opening the SSO authorization page in your default browser \(use Ctrl-C to abort\)\nhttps:\/\/oidc\.eu-west-1\.amazonaws\.com\/authorize\?response_type=code&/);
  });

  it('answers 400 to a redirect with another state and keeps waiting for the right one', async () => {
    let status = 0;
    const s = await setup((idc) => async (url) => {
      const redirect = new URL(url).searchParams.get('redirect_uri') as string;
      const forged = await fetch(`${redirect}?code=stolen&state=forged`);
      status = forged.status;
      assert.match(await forged.text(), /state does not match/);
      assert.equal((await fetch(redirect.replace('/oauth/callback', '/other'))).status, 404);
      return browserThatSignsIn(idc)(url);
    });
    await s.login();
    assert.equal(status, 400);
    assert.equal(s.idc.calls.code, 1);
  });

  it('turns error=access_denied into one line', async () => {
    const s = await setup((idc) => browserThatSignsIn(idc, (params) => {
      params.delete('code');
      params.set('error', 'access_denied');
    }));
    try {
      await s.login();
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(isVaultError(error));
      assert.equal(error.code, 'SSO_LOGIN_DENIED');
      assert.equal(error.message, 'profile dev: the SSO sign-in for https://corp.awsapps.com/start was denied in the browser');
    }
  });

  it('gives up after the wait with SSO_LOGIN_TIMEOUT', async () => {
    const s = await setup(() => async () => ({ ok: true }), { waitMs: 50 });
    await assert.rejects(s.login(), (error: unknown) => isVaultError(error) && error.code === 'SSO_LOGIN_TIMEOUT' && /did not come back from the browser within /.test(error.message));
  });

  it('resolves undefined (device flow next) when no browser opens and falling back is allowed', async () => {
    const s = await setup(() => async () => ({ ok: false, reason: 'xdg-open was not found' }), { fallBackWithoutBrowser: true });
    assert.equal(await s.login(), undefined);
  });
});
