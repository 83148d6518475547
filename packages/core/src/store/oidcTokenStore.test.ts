import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryBackend } from '../testing/index.js';
import { formatOidcTokenPayload, OidcTokenStore, oidcTokenKey, parseOidcTokenPayload, type OidcToken } from './oidcTokenStore.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => new TextDecoder().decode(data ?? new Uint8Array());
const START = 'https://example.awsapps.com/start#/';
const EXPIRES = new Date(Date.UTC(2024, 0, 1, 20, 0, 0, 123));

describe('OIDC token items in aws-vault\'s format', () => {
  it('writes oidc:<start url> verbatim with aws-vault\'s payload, label and description', async () => {
    const backend = memoryBackend();
    await new OidcTokenStore(backend).set(START, { accessToken: 'aoa-1', expiresAt: EXPIRES, expiresIn: 28800, tokenType: 'Bearer' });
    const item = backend.items.get(`oidc:${START}`);
    assert.equal(
      text(item?.data),
      '{"Token":{"AccessToken":"aoa-1","ExpiresIn":28800,"IdToken":null,"RefreshToken":null,"TokenType":"Bearer","ResultMetadata":{}},"Expiration":"2024-01-01T20:00:00.123Z"}',
    );
    assert.equal(item?.label, `aws-vault oidc token for ${START} (expires 2024-01-01T20:00:00Z)`);
    assert.equal(item?.description, 'aws-vault oidc token');
    assert.equal(oidcTokenKey(START), `oidc:${START}`);
  });

  it('reads what aws-vault writes: local offsets, nanoseconds, null fields, any field case', () => {
    const goWritten = '{"Token":{"AccessToken":"aoa-go","ExpiresIn":28800,"IdToken":null,"RefreshToken":null,"TokenType":"Bearer","ResultMetadata":{}},"Expiration":"2024-01-01T20:00:00.123456789+10:00"}';
    assert.deepEqual(parseOidcTokenPayload(bytes(goWritten)), {
      accessToken: 'aoa-go',
      expiresAt: new Date(Date.UTC(2024, 0, 1, 10, 0, 0, 123)),
      expiresIn: 28800,
      tokenType: 'Bearer',
    });
    const lower = '{"token":{"accesstoken":"x","refreshtoken":"r"},"expiration":"2024-01-01T20:00:00Z","unknown":1}';
    assert.deepEqual(parseOidcTokenPayload(bytes(lower)), { accessToken: 'x', refreshToken: 'r', expiresAt: new Date(Date.UTC(2024, 0, 1, 20)) });
  });

  it('keeps the refresh token, id token and OIDC client through a round trip', () => {
    const token: OidcToken = {
      accessToken: 'aoa-2',
      expiresAt: EXPIRES,
      expiresIn: 3600,
      tokenType: 'Bearer',
      refreshToken: 'aor-2',
      idToken: 'id-2',
      registration: { clientId: 'cid', clientSecret: 'csecret', expiresAt: new Date(Date.UTC(2024, 3, 1)), scopes: ['sso:account:access'], region: 'eu-west-1', flow: 'device' },
    };
    assert.deepEqual(parseOidcTokenPayload(formatOidcTokenPayload(token)), token);
  });

  it('computes ExpiresIn from the expiry when it is unknown', () => {
    const payload = JSON.parse(text(formatOidcTokenPayload({ accessToken: 'a', expiresAt: new Date(10_000_000) }, 10_000_000 - 90_000)));
    assert.equal(payload.Token.ExpiresIn, 90);
  });

  it('rejects payloads without a token or a usable expiry', () => {
    for (const bad of ['', 'null', '[]', '{"Token":{}}', '{"Token":{"AccessToken":"a"}}', '{"Token":{"AccessToken":"a"},"Expiration":"0001-01-01T00:00:00Z"}', '{"Token":{"AccessToken":"a"},"Expiration":"tomorrow"}']) {
      assert.equal(parseOidcTokenPayload(bytes(bad)), undefined, bad);
    }
  });
});

describe('OidcTokenStore', () => {
  it('returns expired tokens too (a refresh token may still renew them) and undefined when missing', async () => {
    const store = new OidcTokenStore(memoryBackend());
    assert.equal(await store.get(START), undefined);
    const old = new Date(Date.UTC(2000, 0, 1));
    await store.set(START, { accessToken: 'old', expiresAt: old, refreshToken: 'r' });
    assert.equal((await store.get(START))?.accessToken, 'old');
  });

  it('deletes an unreadable item and reports it missing', async () => {
    const backend = memoryBackend([{ key: `oidc:${START}`, data: bytes('garbage') }]);
    assert.equal(await new OidcTokenStore(backend).get(START), undefined);
    assert.equal(backend.items.size, 0);
  });

  it('remove with onlyAccessToken leaves a token another process stored meanwhile', async () => {
    const backend = memoryBackend();
    const store = new OidcTokenStore(backend);
    await store.set(START, { accessToken: 'new', expiresAt: EXPIRES });
    assert.equal(await store.remove(START, { onlyAccessToken: 'rejected' }), false);
    assert.equal(backend.items.size, 1);
    assert.equal(await store.remove(START, { onlyAccessToken: 'new' }), true);
    assert.equal(await store.remove(START), false);
  });

  it('lists start URLs from item names without reading items', async () => {
    const backend = memoryBackend([
      { key: 'dev', data: bytes('{}') },
      { key: 'oidc:https://a/start', data: bytes('x') },
      { key: 'oidc:https://b/start', data: bytes('y') },
    ]);
    backend.get = async () => assert.fail('list must not read items');
    assert.deepEqual(await new OidcTokenStore(backend).list(), [
      { startUrl: 'https://a/start', itemKey: 'oidc:https://a/start' },
      { startUrl: 'https://b/start', itemKey: 'oidc:https://b/start' },
    ]);
  });
});
