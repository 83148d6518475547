import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VaultError, type Credentials } from '@awsvault/core';
import { startEc2Server, type Ec2Server } from './ec2Server.js';
import { connectionRefused, flood, isStatus, rawRequest, type Outcome } from '@awsvault/core/testing';

const CREDS: Credentials = {
  accessKeyId: 'ASIAFAKEACCESSKEY001',
  secretAccessKey: 'fakeSecretAccessKey/0123456789abcdefghij',
  sessionToken: 'FakeSessionToken//0123456789abcdefghijklmnopqrstuvwxyz+ABCDEFGHIJKLMNOP=',
  expiration: new Date('2030-01-01T00:00:00Z'),
};
const CREDS_PATH = '/latest/meta-data/iam/security-credentials/local-credentials';

describe('EC2 metadata server', () => {
  const clock = { now: Date.UTC(2029, 11, 31, 23, 0, 0) };
  let direct: Ec2Server;
  let proxied: Ec2Server;
  let v2only: Ec2Server;
  let failWith: unknown;
  before(async () => {
    const credentials = async () => {
      if (failWith) throw failWith;
      return CREDS;
    };
    const common = { credentials, region: 'eu-west-1', port: 0, now: () => clock.now, secrets: () => [CREDS.secretAccessKey, CREDS.sessionToken as string] };
    direct = await startEc2Server({ ...common, mode: 'direct' });
    proxied = await startEc2Server({ ...common, mode: 'proxied' });
    v2only = await startEc2Server({ ...common, mode: 'direct', v2Only: true });
  });
  after(async () => {
    await direct.close();
    await proxied.close();
    await v2only.close();
  });

  const get = (server: Ec2Server, path: string, headers: Array<[string, string]> = []) =>
    rawRequest(server.port, { path, headers: [['Host', `127.0.0.1:${server.port}`], ...headers] });
  const putToken = (server: Ec2Server, ttl: string | undefined, extra: Array<[string, string]> = []) =>
    rawRequest(server.port, {
      method: 'PUT', path: '/latest/api/token',
      headers: [['Host', `127.0.0.1:${server.port}`], ...(ttl === undefined ? [] : [['X-aws-ec2-metadata-token-ttl-seconds', ttl] as [string, string]]), ...extra],
    });
  const tokenOf = async (server: Ec2Server, ttl = '60'): Promise<string> => {
    const r = await putToken(server, ttl);
    assert.ok(isStatus(r, 200));
    return r.body;
  };
  const body = (r: Outcome) => ('body' in r ? r.body : JSON.stringify(r));

  it('IMDSv1: the role listing, then aws-vault\'s credentials JSON', async () => {
    const list = await get(direct, '/latest/meta-data/iam/security-credentials/');
    assert.ok(isStatus(list, 200));
    assert.equal(list.body, 'local-credentials');
    const r = await get(direct, CREDS_PATH);
    assert.ok(isStatus(r, 200));
    assert.equal(r.body, `{"AccessKeyId":"${CREDS.accessKeyId}","Code":"Success","Expiration":"2030-01-01T00:00:00Z","LastUpdated":"2029-12-31T23:00:00Z","SecretAccessKey":"${CREDS.secretAccessKey}","Token":"${CREDS.sessionToken}","Type":"AWS-HMAC"}\n`);
  });

  it('the other routes of aws-vault, with the corrected instance-identity path, 301s and 404s', async () => {
    const expect = async (path: string, status: number, text?: string, location?: string) => {
      const r = await get(direct, path);
      assert.ok(isStatus(r, status), `${path}: ${body(r)}`);
      if (text !== undefined) assert.equal(r.body, text, path);
      if (location !== undefined) assert.equal(r.headers['location'], location);
    };
    await expect('/latest/meta-data/iam/security-credentials/anything', 200, 'local-credentials');
    await expect('/latest/meta-data/instance-id/', 200, 'aws-vault');
    await expect('/latest/meta-data/iam/info/', 200, '{"Code" : "Success"}');
    await expect('/latest/dynamic/instance-identity/document', 200, '{"region": "eu-west-1"}');
    await expect('/latest/meta-data/iam/security-credentials', 301, '', '/latest/meta-data/iam/security-credentials/');
    await expect('/latest/meta-data/instance-id', 301, '', '/latest/meta-data/instance-id/');
    await expect('/latest/meta-data/dynamic/instance-identity/document', 404, '404 page not found\n');
    await expect('/latest/meta-data/iam/security-credentials-extended/', 404);
    await expect('/', 404);
    await expect('/latest/meta-data/iam/security-credentials/../../../etc/passwd', 400);
    await expect('/latest/meta-data/iam/security-credentials/%2e%2e/x', 400);
  });

  it('IMDSv2: PUT /latest/api/token with a TTL of 1 to 21600 seconds gives a token that reads credentials', async () => {
    for (const ttl of ['1', '21600']) {
      const r = await putToken(direct, ttl);
      assert.ok(isStatus(r, 200), ttl);
      assert.equal(r.headers['x-aws-ec2-metadata-token-ttl-seconds'], ttl);
      const creds = await get(direct, CREDS_PATH, [['X-aws-ec2-metadata-token', r.body]]);
      assert.ok(isStatus(creds, 200));
      assert.equal(JSON.parse(creds.body).AccessKeyId, CREDS.accessKeyId);
    }
  });

  it('a token request with a missing or out-of-range TTL is 400; another method than PUT is 405', async () => {
    for (const ttl of [undefined, '0', '21601', '-5', 'abc', '1.5', '']) assert.ok(isStatus(await putToken(direct, ttl), 400), String(ttl));
    const r = await get(direct, '/latest/api/token', [['X-aws-ec2-metadata-token-ttl-seconds', '60']]);
    assert.ok(isStatus(r, 405));
  });

  it('a token request carrying X-Forwarded-For is refused (IMDS refuses proxied token requests)', async () => {
    const r = await putToken(direct, '60', [['X-Forwarded-For', '10.0.0.5']]);
    assert.ok(isStatus(r, 403));
    assert.equal(r.body, 'Forbidden\n');
  });

  it('a request carrying a token must carry a valid, unexpired one (401), whatever the v1 setting', async () => {
    const token = await tokenOf(direct, '10');
    const forged = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    const fromOther = await tokenOf(v2only);
    for (const bad of ['', 'x', forged, fromOther, `${token}x`]) {
      const r = await get(direct, CREDS_PATH, [['X-aws-ec2-metadata-token', bad]]);
      assert.ok(isStatus(r, 401), bad);
      assert.equal(r.body, 'Unauthorized\n');
    }
    clock.now += 10_000;
    try {
      assert.ok(isStatus(await get(direct, CREDS_PATH, [['X-aws-ec2-metadata-token', token]]), 401), 'expired');
    } finally {
      clock.now -= 10_000;
    }
  });

  it('--imds-v2-only refuses requests without a token and serves those with one', async () => {
    const v1 = await get(v2only, CREDS_PATH);
    assert.ok(isStatus(v1, 401));
    assert.ok(!v1.body.includes(CREDS.accessKeyId));
    const token = await tokenOf(v2only);
    assert.ok(isStatus(await get(v2only, CREDS_PATH, [['X-aws-ec2-metadata-token', token]]), 200));
  });

  it('behind the proxy only Host 169.254.169.254[:80] is accepted; directly also this listener', async () => {
    for (const host of ['169.254.169.254', '169.254.169.254:80']) {
      assert.ok(isStatus(await rawRequest(proxied.port, { path: CREDS_PATH, headers: [['Host', host]] }), 200), host);
      assert.ok(isStatus(await rawRequest(direct.port, { path: CREDS_PATH, headers: [['Host', host]] }), 200), host);
    }
    for (const host of [`127.0.0.1:${proxied.port}`, 'evil.example', '169.254.169.254:8080']) {
      const r = await rawRequest(proxied.port, { path: CREDS_PATH, headers: [['Host', host]] });
      assert.ok(isStatus(r, 401), host);
      assert.equal(r.body, `Access denied for host '${host}'\n`);
    }
    assert.ok(isStatus(await rawRequest(direct.port, { path: CREDS_PATH, headers: [['Host', `localhost:${direct.port}`]] }), 200));
    const evil = await rawRequest(direct.port, { path: CREDS_PATH, headers: [['Host', `evil.example:${direct.port}`]] });
    assert.ok(isStatus(evil, 401));
    const noHost = await rawRequest(direct.port, { path: CREDS_PATH, version: 'HTTP/1.0' });
    assert.ok(isStatus(noHost, 401));
    assert.equal(noHost.body, "Access denied for host ''\n");
  });

  it('a provider failure is a 504 with one line and no secret', async () => {
    failWith = new VaultError('AWS_CALL_FAILED', `profile dev: sts:GetSessionToken failed: ${CREDS.secretAccessKey}`);
    try {
      const r = await get(direct, CREDS_PATH);
      assert.ok(isStatus(r, 504));
      assert.equal(r.body, 'profile dev: sts:GetSessionToken failed: ****\n');
    } finally {
      failWith = undefined;
    }
  });

  it('survives a 1 MB header and 1,000 concurrent token requests, then serves', async () => {
    const big = await rawRequest(direct.port, { path: CREDS_PATH, headers: [['Host', `127.0.0.1:${direct.port}`], ['X-Big', 'a'.repeat(1024 * 1024)]] });
    assert.ok(isStatus(big, 431));
    const { tally } = await flood(direct.port, 1000, { method: 'PUT', path: '/latest/api/token', headers: [['Host', `127.0.0.1:${direct.port}`], ['X-aws-ec2-metadata-token-ttl-seconds', '60']] });
    assert.ok((tally['200'] ?? 0) >= 100, JSON.stringify(tally));
    assert.ok(isStatus(await get(direct, CREDS_PATH), 200));
  });

  it('after close, the port refuses connections', async () => {
    const other = await startEc2Server({ credentials: async () => CREDS, port: 0, mode: 'direct' });
    await other.close();
    assert.equal(await connectionRefused(other.port), true);
  });
});
