import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../backend.js';
import { memoryBackend } from '../testing/index.js';
import { iso8601, goField } from './goJson.js';
import { formatSessionKey } from './sessionKey.js';
import { parseSessionPayload, SessionStore } from './sessionStore.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const NOW_S = NOW / 1000;
const GST = 'sts.GetSessionToken';
const SERIAL = 'arn:aws:iam::111111111111:mfa/jonsmith';
const key = (profileName: string, expiry: number, type = GST, detail = SERIAL) => formatSessionKey({ type, profileName, detail, expiry });
const payload = (id: string, expiration: string) => bytes(JSON.stringify({ AccessKeyId: id, SecretAccessKey: `secret-${id}`, SessionToken: `token-${id}`, Expiration: expiration }));

function store(backend: Backend, now = NOW): SessionStore {
  return new SessionStore(backend, { now: () => now });
}

describe('SessionStore.set: aws-vault\'s item name, payload, label and description', () => {
  it('writes <Type>,<b64 profile>,<b64 serial>,<expiry> with aws-vault\'s session JSON', async () => {
    const backend = memoryBackend();
    const expiration = new Date(NOW + 3600_000);
    await store(backend).set(GST, 'jonsmith', SERIAL, { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'S', sessionToken: 'T', expiration });
    const itemKey = key('jonsmith', NOW_S + 3600);
    assert.deepEqual([...backend.items.keys()], [itemKey]);
    const item = backend.items.get(itemKey);
    assert.equal(text(item?.data ?? new Uint8Array()), '{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"S","SessionToken":"T","Expiration":"2024-01-01T13:00:00Z"}');
    assert.equal(item?.label, 'aws-vault session for jonsmith (expires 2024-01-01T13:00:00Z)');
    assert.equal(item?.description, 'aws-vault session');
  });

  it('round-trips through get', async () => {
    const backend = memoryBackend();
    const expiration = new Date(NOW + 3600_000);
    await store(backend).set(GST, 'jonsmith', SERIAL, { accessKeyId: 'ASIA1', secretAccessKey: 'S1', sessionToken: 'T1', expiration });
    const got = await store(backend).get(GST, 'jonsmith', SERIAL);
    assert.deepEqual(got, {
      key: { type: GST, profileName: 'jonsmith', detail: SERIAL, expiry: NOW_S + 3600 },
      itemKey: key('jonsmith', NOW_S + 3600),
      credentials: { accessKeyId: 'ASIA1', secretAccessKey: 'S1', sessionToken: 'T1', expiration },
    });
  });

  it('removes older sessions with the same type, profile and serial after writing, and nothing else', async () => {
    const others = [key('jonsmith', NOW_S + 100, 'sts.AssumeRole'), key('jonsmith', NOW_S + 100, GST, ''), key('other', NOW_S + 100), 'jonsmith'];
    const older = key('jonsmith', NOW_S + 600);
    const backend = memoryBackend([older, ...others].map((k) => ({ key: k, data: bytes('{}') })));
    await store(backend).set(GST, 'jonsmith', SERIAL, { accessKeyId: 'ASIA2', secretAccessKey: 'S', expiration: new Date(NOW + 7200_000) });
    assert.deepEqual([...backend.items.keys()].sort(), [...others, key('jonsmith', NOW_S + 7200)].sort());
  });

  it('writes an empty SessionToken when the credentials have none', async () => {
    const backend = memoryBackend();
    await store(backend).set('credential_process', 'p', '', { accessKeyId: 'A', secretAccessKey: 'S', expiration: new Date(NOW + 60_000) });
    assert.match(text([...backend.items.values()][0]?.data ?? new Uint8Array()), /"SessionToken":""/);
  });
});

describe('SessionStore.get: lookup, garbage collection and unreadable items', () => {
  it('finds a session by prefix, whatever its expiry, and picks the latest of several', async () => {
    const backend = memoryBackend([
      { key: key('jonsmith', NOW_S + 600), data: payload('EARLY', '2024-01-01T12:10:00Z') },
      { key: key('jonsmith', NOW_S + 3600), data: payload('LATE', '2024-01-01T13:00:00Z') },
    ]);
    const got = await store(backend).get(GST, 'jonsmith', SERIAL);
    assert.equal(got?.credentials.accessKeyId, 'LATE');
  });

  it('reads a payload written by aws-vault: any field-name case, fractional seconds and a local offset', async () => {
    const data = bytes('{"accesskeyid":"ASIAGO","SECRETACCESSKEY":"S","sessiontoken":"T","expiration":"2024-01-01T23:00:00.5+10:00","Extra":true}');
    const backend = memoryBackend([{ key: key('jonsmith', NOW_S + 3600), data }]);
    const got = await store(backend).get(GST, 'jonsmith', SERIAL);
    assert.deepEqual(got?.credentials, { accessKeyId: 'ASIAGO', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date('2024-01-01T13:00:00.500Z') });
  });

  it('misses when only another profile, type or serial has a session', async () => {
    const backend = memoryBackend([
      { key: key('jonsmithx', NOW_S + 3600), data: payload('A', '2024-01-01T13:00:00Z') },
      { key: key('jonsmith', NOW_S + 3600, 'sts.AssumeRole'), data: payload('B', '2024-01-01T13:00:00Z') },
      { key: key('jonsmith', NOW_S + 3600, GST, ''), data: payload('C', '2024-01-01T13:00:00Z') },
    ]);
    assert.equal(await store(backend).get(GST, 'jonsmith', SERIAL), undefined);
    assert.equal(backend.items.size, 3);
  });

  it('deletes expired sessions of every profile and legacy keys, and keeps the rest', async () => {
    const live = key('other', NOW_S + 60);
    const backend = memoryBackend(
      [
        key('jonsmith', NOW_S - 1),
        key('other', NOW_S - 3600, 'sso.GetRoleCredentials', 'https://x/start'),
        'session,jonsmith,,1700000000',
        'session:jonsmith:arn:aws:iam::111111111111:mfa/jonsmith:1700000000',
        'jonsmith session (1700000000)',
        live,
        'jonsmith',
        'oidc:https://x/start',
      ].map((k) => ({ key: k, data: payload('X', '2024-01-01T13:00:00Z') })),
    );
    assert.equal(await store(backend).get(GST, 'jonsmith', SERIAL), undefined);
    assert.deepEqual([...backend.items.keys()].sort(), [live, 'jonsmith', 'oidc:https://x/start'].sort());
  });

  it('collects garbage on set too', async () => {
    const backend = memoryBackend([{ key: key('other', NOW_S - 5), data: bytes('{}') }, { key: 'session,a,,99', data: bytes('{}') }]);
    await store(backend).set(GST, 'jonsmith', '', { accessKeyId: 'A', secretAccessKey: 'S', expiration: new Date(NOW + 60_000) });
    assert.deepEqual([...backend.items.keys()], [key('jonsmith', NOW_S + 60, GST, '')]);
  });

  it('keeps a session expiring exactly now (aws-vault deletes only past expiries)', async () => {
    const backend = memoryBackend([{ key: key('jonsmith', NOW_S), data: payload('EDGE', '2024-01-01T12:00:00Z') }]);
    assert.equal((await store(backend).get(GST, 'jonsmith', SERIAL))?.credentials.accessKeyId, 'EDGE');
  });

  for (const [what, data] of [
    ['not JSON', 'garbage'],
    ['JSON null', 'null'],
    ['no secret', '{"AccessKeyId":"A","Expiration":"2024-01-01T13:00:00Z"}'],
    ['no expiration', '{"AccessKeyId":"A","SecretAccessKey":"S"}'],
    ['a bad expiration', '{"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"tomorrow"}'],
    ['a numeric expiration', '{"AccessKeyId":"A","SecretAccessKey":"S","Expiration":1704114000}'],
  ] as const) {
    it(`deletes an item with ${what} and treats it as a miss`, async () => {
      const itemKey = key('jonsmith', NOW_S + 3600);
      const backend = memoryBackend([{ key: itemKey, data: bytes(data) }]);
      assert.equal(await store(backend).get(GST, 'jonsmith', SERIAL), undefined);
      assert.equal(backend.items.has(itemKey), false);
    });
  }

  it('falls back to an older readable session when the newest is unreadable', async () => {
    const backend = memoryBackend([
      { key: key('jonsmith', NOW_S + 7200), data: bytes('garbage') },
      { key: key('jonsmith', NOW_S + 3600), data: payload('OLDER', '2024-01-01T13:00:00Z') },
    ]);
    assert.equal((await store(backend).get(GST, 'jonsmith', SERIAL))?.credentials.accessKeyId, 'OLDER');
    assert.deepEqual([...backend.items.keys()], [key('jonsmith', NOW_S + 3600)]);
  });

  it('does not delete a long-term credential whose name merely looks like a session name', async () => {
    const backend = memoryBackend([{ key: 'client a,prod eu,x,1', data: bytes('{"AccessKeyID":"AKIA","SecretAccessKey":"S"}') }]);
    await store(backend).get(GST, 'jonsmith', SERIAL);
    assert.deepEqual([...backend.items.keys()], ['client a,prod eu,x,1']);
  });
});

describe('SessionStore.list and removeForProfile', () => {
  it('lists current-format sessions, expired ones included, and removes one profile\'s sessions', async () => {
    const keys = [key('jonsmith', NOW_S - 10), key('jonsmith', NOW_S + 10, 'sts.AssumeRole', ''), key('other', NOW_S + 10), 'jonsmith', 'session,jonsmith,,12'];
    const backend = memoryBackend(keys.map((k) => ({ key: k, data: bytes('{}') })));
    const sessions = store(backend);
    assert.deepEqual((await sessions.list()).map((s) => s.itemKey), keys.slice(0, 3));
    assert.equal(await sessions.removeForProfile('jonsmith'), 2);
    assert.deepEqual([...backend.items.keys()], [key('other', NOW_S + 10), 'jonsmith', 'session,jonsmith,,12']);
    assert.equal(await sessions.removeForProfile('nobody'), 0);
  });
});

describe('parseSessionPayload and Go JSON helpers', () => {
  it('omits an empty SessionToken', () => {
    assert.deepEqual(parseSessionPayload(bytes('{"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"","Expiration":"2024-01-01T13:00:00Z"}')), {
      accessKeyId: 'A',
      secretAccessKey: 'S',
      expiration: new Date('2024-01-01T13:00:00Z'),
    });
  });

  it('matches field names exactly first, then case-insensitively', () => {
    assert.equal(goField({ accesskeyid: 'lower', AccessKeyId: 'exact' }, 'AccessKeyId'), 'exact');
    assert.equal(goField({ ACCESSKEYID: 'upper' }, 'AccessKeyId'), 'upper');
    assert.equal(goField({}, 'AccessKeyId'), undefined);
  });

  it('formats times as RFC 3339 UTC without fractional seconds', () => {
    assert.equal(iso8601(new Date('2020-09-10T16:16:52.789Z')), '2020-09-10T16:16:52Z');
    assert.equal(iso8601(new Date(Date.UTC(2024, 0, 1))), '2024-01-01T00:00:00Z');
  });
});

describe('SessionStore with a primed listing', () => {
  it('uses the listing once, then lists the store again, so a second look sees writes made since', async () => {
    const backend = memoryBackend();
    let listings = 0;
    const counting = { ...backend, keys: async () => (listings++, backend.keys()) };
    const store = new SessionStore(counting, { primedKeys: await backend.keys() });
    assert.equal(await store.get('sts.GetSessionToken', 'dev', ''), undefined);
    assert.equal(listings, 0, 'the first lookup used the primed listing');
    // Another process stores a session; the next lookup (as under the refresh lock) must find it.
    await new SessionStore(backend).set('sts.GetSessionToken', 'dev', '', { accessKeyId: 'ASIAPRIMED', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 3600_000) });
    assert.equal((await store.get('sts.GetSessionToken', 'dev', ''))?.credentials.accessKeyId, 'ASIAPRIMED');
    assert.equal(listings, 1);
  });
});
