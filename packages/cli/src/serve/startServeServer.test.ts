import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VaultError, type Credentials } from '@awsvault/core';
import { rawRequest, type Outcome } from '@awsvault/core/testing';
import { allowedHostHeaders, startServeServer, type ServeServer } from './startServeServer.js';

const CREDS: Credentials = {
  accessKeyId: 'ASIAFAKEACCESSKEY001',
  secretAccessKey: 'fakeSecretAccessKey/0123456789abcdefghij',
  sessionToken: 'FakeSessionToken//0123456789abcdefghijklmnopqrstuvwxyz+ABCDEFGHIJKLMNOP=',
  expiration: new Date('2030-01-01T00:00:00Z'),
};
const TOKEN = 'T'.repeat(43);
const ARN = 'arn:aws:iam::123456789012:role/deploy';
const body = (o: Outcome) => ('body' in o ? o.body : '');
const status = (o: Outcome) => ('status' in o ? o.status : o.error);

describe('vault serve endpoint', () => {
  let server: ServeServer;
  const asked: string[] = [];
  before(async () => {
    server = await startServeServer({
      hosts: ['127.0.0.1'],
      port: 0,
      token: TOKEN,
      credentials: async (name) => {
        asked.push(name);
        if (name === 'nosuch') throw new VaultError('PROFILE_NOT_FOUND', 'profile nosuch not found in /h/.aws/config');
        if (name === 'broken') throw new VaultError('AWS_CALL_FAILED', `profile broken: sts failed with ${CREDS.secretAccessKey}`);
        return CREDS;
      },
      roleCredentials: async () => ({ ...CREDS, accessKeyId: 'ASIAFAKEROLEKEY00001' }),
      secrets: () => [CREDS.secretAccessKey],
    });
  });
  after(() => server.close());

  const ask = (path: string, headers: Array<[string, string]> = [['Host', `127.0.0.1:${server.port}`], ['Authorization', TOKEN]], method = 'GET') => rawRequest(server.port, { path, headers, method });

  it('answers /profile/<name> and /role-arn/<arn> with the ECS JSON', async () => {
    const profile = await ask('/profile/dev');
    assert.equal(status(profile), 200);
    assert.equal(body(profile), `{"AccessKeyId":"${CREDS.accessKeyId}","Expiration":"2030-01-01T00:00:00Z","SecretAccessKey":"${CREDS.secretAccessKey}","Token":"${CREDS.sessionToken}"}\n`);
    assert.match(body(await ask(`/role-arn/${ARN}`)), /"AccessKeyId":"ASIAFAKEROLEKEY00001"/);
    assert.equal(asked.at(-1), 'dev');
  });

  it('checks Host, token and method before anything is fetched', async () => {
    const before = asked.length;
    assert.equal(status(await ask('/profile/dev', [['Host', `127.0.0.1:${server.port}`]])), 403);
    assert.equal(status(await ask('/profile/dev', [['Host', `127.0.0.1:${server.port}`], ['Authorization', `${TOKEN}x`]])), 403);
    assert.equal(status(await ask('/profile/dev', [['Host', `rebind.example:${server.port}`], ['Authorization', TOKEN]])), 403);
    const post = await ask('/profile/dev', undefined, 'POST');
    assert.equal(status(post), 405);
    assert.equal(asked.length, before);
  });

  it('400 for odd paths and names, 404 for unknown routes and profiles, 500 masked; never an echo', async () => {
    for (const path of ['/profile/../etc', '/profile/%2e%2e', '/profile/a%2fb', '/profile/', '/profile/a b', '/role-arn/arn:aws:iam::1:role/x']) assert.equal(status(await ask(path)), 400, path);
    const route = await ask('/secret-path-xyz');
    assert.equal(status(route), 404);
    assert.doesNotMatch(body(route), /secret-path-xyz/);
    const unknown = await ask('/profile/nosuch');
    assert.equal(status(unknown), 404);
    assert.match(body(unknown), /^\{"Message":"profile nosuch not found in \/h\/\.aws\/config"\}\n$/);
    const broken = await ask('/profile/broken');
    assert.equal(status(broken), 500);
    assert.ok(!body(broken).includes(CREDS.secretAccessKey));
  });

  it('allows the listening addresses, localhost for 127.0.0.1, IPv6 in brackets, and extra names', () => {
    assert.deepEqual(allowedHostHeaders(['127.0.0.1', '172.17.0.1'], 9, ['Host.Docker.Internal']), ['127.0.0.1:9', 'localhost:9', '172.17.0.1:9', 'host.docker.internal:9']);
    assert.deepEqual(allowedHostHeaders(['::1'], 9, []), ['[::1]:9', 'localhost:9']);
  });

  it('/role-arn/ answers 404 with the reason when no role profile is set', async () => {
    const bare = await startServeServer({ hosts: ['127.0.0.1'], port: 0, token: TOKEN, credentials: async () => CREDS, roleRouteOff: '/role-arn/ is off: use --role-profile' });
    try {
      const r = await rawRequest(bare.port, { path: `/role-arn/${ARN}`, headers: [['Host', `localhost:${bare.port}`], ['Authorization', TOKEN]] });
      assert.equal(status(r), 404);
      assert.match(body(r), /--role-profile/);
    } finally {
      await bare.close();
    }
  });
});

describe('vault serve endpoint over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-serve-tls-'));
  let server: ServeServer;
  before(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    server = await startServeServer({ hosts: ['127.0.0.1'], port: 0, token: TOKEN, credentials: async () => CREDS, tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) } });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS to a client that trusts the certificate, with the same checks', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const get = (token: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        request(`${server.url}/profile/dev`, { ca: readFileSync(join(dir, 'cert.pem')), headers: { Authorization: token } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        }).on('error', reject).end();
      });
    const ok = await get(TOKEN);
    assert.equal(ok.status, 200);
    assert.match(ok.body, /"AccessKeyId":"ASIAFAKEACCESSKEY001"/);
    assert.equal((await get('wrong')).status, 403);
    const plain = await rawRequest(server.port, { path: '/profile/dev', headers: [['Host', `127.0.0.1:${server.port}`], ['Authorization', TOKEN]] });
    assert.notEqual(status(plain), 200, 'plain HTTP gets no answer');
  });
});
