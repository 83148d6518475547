import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { VaultError, type Credentials } from '@awsvault/core';
import { startEcsServer, type EcsServer } from './ecsServer.js';
import { connectionRefused, flood, holdIdle, isStatus, rawRequest, type Outcome, type RawRequest } from '@awsvault/core/testing';

const CREDS: Credentials = {
  accessKeyId: 'ASIAFAKEACCESSKEY001',
  secretAccessKey: 'fakeSecretAccessKey/0123456789abcdefghij',
  sessionToken: 'FakeSessionToken//0123456789abcdefghijklmnopqrstuvwxyz+ABCDEFGHIJKLMNOP=',
  expiration: new Date('2030-01-01T00:00:00Z'),
};
const ROLE_CREDS: Credentials = { ...CREDS, accessKeyId: 'ASIAFAKEROLEKEY00001', secretAccessKey: 'roleSecretAccessKey/0123456789abcdefghij' };
const SECRETS = [CREDS.secretAccessKey, CREDS.sessionToken as string, ROLE_CREDS.secretAccessKey];
const ARN = 'arn:aws:iam::123456789012:role/deploy';
const INVALID_TOKEN = '{"Message":"invalid Authorization token"}\n';

describe('ECS credential server', () => {
  let server: EcsServer;
  let failWith: unknown;
  const roleCalls: string[] = [];
  before(async () => {
    server = await startEcsServer({
      credentials: async () => {
        if (failWith) throw failWith;
        return CREDS;
      },
      roleCredentials: async (arn) => {
        roleCalls.push(arn);
        return ROLE_CREDS;
      },
      secrets: () => SECRETS,
    });
  });
  after(() => server.close());

  const ask = (r: RawRequest = {}): Promise<Outcome> =>
    rawRequest(server.port, { ...r, headers: r.headers ?? [['Host', `127.0.0.1:${server.port}`], ['Authorization', server.token]] });
  const withToken = (path: string) => ask({ path });
  const assertNoSecret = (outcome: Outcome) => {
    const body = 'body' in outcome ? outcome.body : '';
    for (const secret of [...SECRETS, CREDS.accessKeyId, ROLE_CREDS.accessKeyId, server.token]) assert.ok(!body.includes(secret), `leaked in ${body}`);
  };

  it('listens on 127.0.0.1 with a 40-character base64url token (30 random bytes)', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.token, /^[A-Za-z0-9_-]{40}$/);
  });

  it('answers the profile\'s credentials as aws-vault\'s JSON, to a plain Node client', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      request(server.url, { headers: { Authorization: server.token } }, (res) => {
        assert.equal(res.statusCode, 200);
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve(text));
      }).on('error', reject).end();
    });
    assert.equal(body, `{"AccessKeyId":"${CREDS.accessKeyId}","Expiration":"2030-01-01T00:00:00Z","SecretAccessKey":"${CREDS.secretAccessKey}","Token":"${CREDS.sessionToken}"}\n`);
  });

  it('answers any other path (but /role-arn/) with the profile\'s credentials, and ignores the query', async () => {
    for (const path of ['/', '/creds', '/v2/credentials/x?y=1']) {
      const r = await withToken(path);
      assert.ok(isStatus(r, 200), path);
      assert.equal(JSON.parse(r.body).AccessKeyId, CREDS.accessKeyId);
    }
  });

  it('refuses a request without the token: 403 and aws-vault\'s JSON message', async () => {
    const r = await ask({ headers: [['Host', `127.0.0.1:${server.port}`]] });
    assert.ok(isStatus(r, 403));
    assert.equal(r.body, INVALID_TOKEN);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  });

  const withTokenValue = (token: string) => ask({ headers: [['Host', `127.0.0.1:${server.port}`], ['Authorization', token]] });

  it('refuses a wrong token of the same length with the same answer', async () => {
    const same = server.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    for (const token of [same, server.token.toLowerCase() === server.token ? same : server.token.toLowerCase(), `${server.token.slice(0, -1)}=`]) {
      assert.equal(token.length, server.token.length);
      const r = await withTokenValue(token);
      assert.ok(isStatus(r, 403), token);
      assert.equal(r.body, INVALID_TOKEN);
      assertNoSecret(r);
    }
  });

  it('refuses tokens of other lengths (shorter, longer, prefixed, empty, 8 KB) with the same answer', async () => {
    for (const token of [server.token.slice(0, -1), `${server.token}A`, '', 'x', `Bearer ${server.token}`, 'y'.repeat(8000)]) {
      const r = await withTokenValue(token);
      assert.ok(isStatus(r, 403), `token of length ${token.length}`);
      assert.equal(r.body, INVALID_TOKEN);
      assertNoSecret(r);
    }
  });

  it('refuses a Host that is not this listener (DNS rebinding), even with the token', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`, `127.0.0.2:${server.port}`, `[::1]:${server.port}`]) {
      const r = await ask({ headers: [['Host', host], ['Authorization', server.token]] });
      assert.ok(isStatus(r, 403), host);
      assert.equal(r.body, '{"Message":"invalid Host header"}\n');
    }
    const noHost = await ask({ version: 'HTTP/1.0', headers: [['Authorization', server.token]] });
    assert.ok(isStatus(noHost, 403), 'HTTP/1.0 without Host');
    const missingHost11 = await ask({ headers: [['Authorization', server.token]] });
    assert.ok(isStatus(missingHost11, 400), 'HTTP/1.1 without Host is malformed');
    const local = await ask({ headers: [['Host', `localhost:${server.port}`], ['Authorization', server.token]] });
    assert.ok(isStatus(local, 200), 'localhost:<port>');
  });

  it('/role-arn/<arn> answers the role\'s credentials, also with the ARN percent-encoded', async () => {
    roleCalls.length = 0;
    const plain = await withToken(`/role-arn/${ARN}`);
    assert.ok(isStatus(plain, 200));
    assert.equal(JSON.parse(plain.body).AccessKeyId, ROLE_CREDS.accessKeyId);
    const encoded = await withToken(`/role-arn/${encodeURIComponent(ARN)}`);
    assert.ok(isStatus(encoded, 200));
    assert.deepEqual(roleCalls, [ARN, ARN]);
  });

  it('refuses path traversal, encoded tricks and non-ARNs under /role-arn/ with 400, calling nothing', async () => {
    roleCalls.length = 0;
    for (const path of [
      '/role-arn/../', '/role-arn/..', '/role-arn/%2e%2e', '/role-arn/%2e%2e/', '/role-arn/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd', '/role-arn/..%2f..%2f',
      '/role-arn/%252e%252e', '/role-arn/not-an-arn', '/role-arn/', '/role-arn', `/role-arn/${ARN}/../../admin`, `/role-arn/${ARN}%2F..%2Fadmin`,
      '/role-arn/arn:aws:iam::123456789012:user/alice', `/role-arn/${ARN}%00`, `/x/../role-arn/${ARN}`, `//role-arn/${ARN}`, '/role-arn/%ZZ',
      `/role-arn/arn:aws:iam::123456789012:role/${'a'.repeat(3000)}`,
    ]) {
      const r = await withToken(path);
      assert.ok(isStatus(r, 400), `${path}: ${JSON.stringify(r)}`);
      assert.match(r.body, /^\{"Message":"invalid (role ARN|request path)[^"]*"\}\n$/);
      assertNoSecret(r);
    }
    const absolute = await withToken(`http://127.0.0.1:${server.port}/role-arn/${ARN}`);
    assert.ok(isStatus(absolute, 400), 'absolute-form target');
    assert.deepEqual(roleCalls, []);
  });

  it('a provider failure is a 500 with the error\'s one line and no secret in it', async () => {
    failWith = new VaultError('AWS_CALL_FAILED', `profile dev: sts:GetSessionToken failed: ExpiredToken: ${CREDS.sessionToken}\nsecond line`);
    try {
      const r = await withToken('/');
      assert.ok(isStatus(r, 500));
      assert.equal(r.body, '{"Message":"profile dev: sts:GetSessionToken failed: ExpiredToken: **** second line"}\n');
      assertNoSecret(r);
      failWith = new Error(`internal: ${CREDS.secretAccessKey}`);
      const foreign = await withToken('/');
      assert.ok(isStatus(foreign, 500));
      assert.equal(foreign.body, '{"Message":"could not get credentials"}\n');
    } finally {
      failWith = undefined;
    }
  });

  it('answers a 1 MB header with 431 and keeps serving', async () => {
    const r = await ask({ headers: [['Host', `127.0.0.1:${server.port}`], ['Authorization', server.token], ['X-Big', 'a'.repeat(1024 * 1024)]] });
    assert.ok(isStatus(r, 431), JSON.stringify(r).slice(0, 200));
    assertNoSecret(r);
    assert.ok(isStatus(await withToken('/'), 200));
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    for (const method of ['GE T', 'GET\u0001']) {
      const r = await rawRequest(server.port, { method, headers: [['Host', `127.0.0.1:${server.port}`]] });
      assert.ok(!('status' in r) || r.status === 400, method);
    }
    assert.ok(isStatus(await withToken('/'), 200));
  });

  it('survives 1,000 concurrent connections without leaking, and then serves the real client', async () => {
    const { tally, bodies } = await flood(server.port, 1000, { headers: [['Host', `127.0.0.1:${server.port}`], ['Authorization', 'wrong-token']] });
    const answered = tally['403'] ?? 0;
    const dropped = (tally['ECONNRESET'] ?? 0) + (tally['closed without an answer'] ?? 0) + (tally['EPIPE'] ?? 0);
    assert.equal(answered + dropped, 1000, JSON.stringify(tally));
    assert.ok(answered >= 100, `answered ${answered}`);
    for (const body of bodies) assert.equal(body, INVALID_TOKEN);
    assert.ok(isStatus(await withToken('/'), 200));
  });

  it('holding 1,000 idle connections open does not lock the real client out', async () => {
    const idle = await holdIdle(server.port, 1000);
    try {
      const r = await withToken('/');
      assert.ok(isStatus(r, 200), JSON.stringify(r).slice(0, 100));
      // The server accepts (and evicts) a little after the clients see their connections open.
      for (let i = 0; i < 100 && idle.closedByServer() < 1000 - 512; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(idle.closedByServer() >= 1000 - 512, `the server closed ${idle.closedByServer()} idle connections to stay within its cap`);
    } finally {
      idle.release();
    }
    assert.ok(isStatus(await withToken('/'), 200));
  });

  it('after close, the port refuses connections', async () => {
    const other = await startEcsServer({ credentials: async () => CREDS, roleCredentials: async () => CREDS });
    assert.ok(isStatus(await rawRequest(other.port, { headers: [['Host', `127.0.0.1:${other.port}`], ['Authorization', other.token]] }), 200));
    await other.close();
    assert.equal(await connectionRefused(other.port), true);
  });
});
