import assert from 'node:assert/strict';
import { isAbsolute } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Credentials } from '@awsvault/core';
import { startEc2Server, type Ec2Server } from './ec2Server.js';
import { aliasAlreadyDone, aliasCommands, metadataEndpointAnswers, startMetadataProxy, stopMetadataProxy, vaultInvocation, type MetadataProxy } from './ec2Proxy.js';
import { connectionRefused, isStatus, rawRequest } from '@awsvault/core/testing';

const CREDS: Credentials = { accessKeyId: 'ASIAFAKEACCESSKEY001', secretAccessKey: 's'.repeat(40), sessionToken: 't'.repeat(100), expiration: new Date('2030-01-01T00:00:00Z') };
const CREDS_PATH = '/latest/meta-data/iam/security-credentials/local-credentials';

describe('EC2 metadata proxy (on a loopback port instead of 169.254.169.254:80)', () => {
  let upstream: Ec2Server;
  let proxy: MetadataProxy;
  before(async () => {
    upstream = await startEc2Server({ credentials: async () => CREDS, port: 0, mode: 'proxied' });
    proxy = await startMetadataProxy({ host: '127.0.0.1', port: 0, upstreamPort: upstream.port });
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });
  const viaProxy = (path: string, headers: Array<[string, string]> = [['Host', '169.254.169.254']], method = 'GET') => rawRequest(proxy.port, { method, path, headers });

  it('passes requests on with their Host header, so the credential server accepts only the metadata IP', async () => {
    const ok = await viaProxy(CREDS_PATH);
    assert.ok(isStatus(ok, 200));
    assert.equal(JSON.parse(ok.body).AccessKeyId, CREDS.accessKeyId);
    const rebound = await viaProxy(CREDS_PATH, [['Host', 'evil.example']]);
    assert.ok(isStatus(rebound, 401));
    assert.equal(rebound.body, "Access denied for host 'evil.example'\n");
  });

  it('adds no X-Forwarded-For: IMDSv2 token requests work through it, and the token reads credentials', async () => {
    const token = await viaProxy('/latest/api/token', [['Host', '169.254.169.254'], ['X-aws-ec2-metadata-token-ttl-seconds', '60']], 'PUT');
    assert.ok(isStatus(token, 200));
    assert.ok(isStatus(await viaProxy(CREDS_PATH, [['Host', '169.254.169.254'], ['X-aws-ec2-metadata-token', token.body]]), 200));
    const forwarded = await viaProxy('/latest/api/token', [['Host', '169.254.169.254'], ['X-aws-ec2-metadata-token-ttl-seconds', '60'], ['X-Forwarded-For', '1.2.3.4']], 'PUT');
    assert.ok(isStatus(forwarded, 403), 'a client\'s own X-Forwarded-For still reaches the server');
  });

  it('/stop without the stop header is an ordinary (unknown) path', async () => {
    assert.ok(isStatus(await viaProxy('/stop'), 404));
  });

  it('answers 502 when the credential server is gone', async () => {
    const orphan = await startMetadataProxy({ host: '127.0.0.1', port: 0, upstreamPort: 1 });
    try {
      const r = await rawRequest(orphan.port, { path: CREDS_PATH, headers: [['Host', '169.254.169.254']] });
      assert.ok(isStatus(r, 502));
    } finally {
      await orphan.close();
    }
  });

  it('`vault proxy --stop` (GET /stop with the header) ends it', async () => {
    const other = await startMetadataProxy({ host: '127.0.0.1', port: 0, upstreamPort: upstream.port });
    assert.equal(await metadataEndpointAnswers(300, '127.0.0.1', other.port), true);
    let stopped = false;
    void other.stopRequested.then(() => (stopped = true));
    await stopMetadataProxy('127.0.0.1', other.port);
    await other.stopRequested;
    assert.equal(stopped, true);
    await other.close();
    assert.equal(await connectionRefused(other.port), true);
    assert.equal(await metadataEndpointAnswers(300, '127.0.0.1', other.port), false);
    await assert.rejects(stopMetadataProxy('127.0.0.1', other.port), /no EC2 metadata proxy answers/);
  });
});

describe('proxy helpers', () => {
  it('runs vault by absolute paths (aws-vault used argv[0], Appendix A 8)', () => {
    const argv = vaultInvocation();
    assert.equal(argv[0], process.execPath);
    for (const part of argv) assert.ok(isAbsolute(part), part);
  });

  it('adds and removes the alias with aws-vault\'s commands per platform', () => {
    assert.deepEqual(aliasCommands('linux').add, ['ip', 'addr', 'add', '169.254.169.254/24', 'dev', 'lo', 'label', 'lo:0']);
    assert.deepEqual(aliasCommands('linux').remove.slice(0, 3), ['ip', 'addr', 'del']);
    assert.deepEqual(aliasCommands('darwin').add, ['ifconfig', 'lo0', 'alias', '169.254.169.254']);
    assert.deepEqual(aliasCommands('darwin').remove, ['ifconfig', 'lo0', '-alias', '169.254.169.254']);
    assert.equal(aliasCommands('win32').add[0], 'netsh');
  });

  it('treats "already there" answers as success', () => {
    assert.equal(aliasAlreadyDone('RTNETLINK answers: File exists'), true);
    assert.equal(aliasAlreadyDone('RTNETLINK answers: Cannot assign requested address'), true);
    assert.equal(aliasAlreadyDone('The object already exists.'), true);
    assert.equal(aliasAlreadyDone('Das Objekt existiert bereits.'), true);
    assert.equal(aliasAlreadyDone('RTNETLINK answers: Operation not permitted'), false);
  });
});
