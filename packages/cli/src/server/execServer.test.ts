import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { VaultError, type Credentials, type ProfileConfig, type StsApi, type StsFactory } from '@awsvault/core';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { connectionRefused } from '@awsvault/core/testing';
import { startMetadataProxy, stopMetadataProxy } from './ec2Proxy.js';
import { runWithServer, type ServerModeOptions } from './execServer.js';

const BASE: Credentials = { accessKeyId: 'ASIABASEKEY000000001', secretAccessKey: 'b'.repeat(40), sessionToken: 'base-token', expiration: new Date(Date.now() + 3600_000) };
const PROFILE: ProfileConfig = {
  name: 'dev', hasSection: true, region: 'eu-west-1', assumeRoleDuration: 7200, sessionTokenDuration: 3600, chainedSessionTokenDuration: 3600,
  federationTokenDuration: 3600, durationFromFlag: false, origins: {}, roleSessionName: 'custom', externalId: 'ext-1', mfaSerial: 'arn:aws:iam::123456789012:mfa/alice',
};
const ARN = 'arn:aws:iam::123456789012:role/deploy';

/** A child that records its environment and what the server answered, into a file (its stdout is the test runner's). */
const CHILD = String.raw`
const fs = require('node:fs');
const [out, mode, ...paths] = process.argv.slice(1);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_')));
(async () => {
  const answers = [];
  for (const path of paths) {
    const base = mode === 'ecs' ? env.AWS_CONTAINER_CREDENTIALS_FULL_URI : env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    const headers = mode === 'ecs' ? { Authorization: env.AWS_CONTAINER_AUTHORIZATION_TOKEN } : {};
    const r = await fetch(new URL(path, base), { headers });
    answers.push({ status: r.status, body: await r.text() });
  }
  fs.writeFileSync(out, JSON.stringify({ env, answers }));
  process.exit(Number(process.env.EXIT_WITH || 0));
})();
`;

describe('runWithServer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-server-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  function setup(overrides: Partial<ServerModeOptions> & { paths?: string[]; exitWith?: number; providerError?: unknown } = {}) {
    const out = join(dir, `out-${n++}.json`);
    let providerCalls = 0;
    const assumed: Array<{ input: Parameters<StsApi['assumeRole']>[0]; by: string }> = [];
    const sts: StsFactory = async (_config, credentials) => ({
      assumeRole: async (input) => {
        assumed.push({ input, by: credentials.accessKeyId });
        return { accessKeyId: 'ASIAROLEKEY000000001', secretAccessKey: 'r'.repeat(40), sessionToken: 'role-token', expiration: new Date(Date.now() + 3600_000) };
      },
      getSessionToken: async () => assert.fail('not used'),
      getFederationToken: async () => assert.fail('not used'),
      getCallerIdentity: async () => assert.fail('not used'),
    });
    const options: ServerModeOptions = {
      mode: 'ecs', lazy: false, v2Only: false, profile: PROFILE,
      provider: async () => {
        providerCalls++;
        if (overrides.providerError) throw overrides.providerError;
        return BASE;
      },
      env: {
        PATH: process.env['PATH'], EXIT_WITH: String(overrides.exitWith ?? 0), AWS_ACCESS_KEY_ID: 'AKIAINHERITED', AWS_PROFILE: 'other',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/inherited', AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/inherited', AWS_EC2_METADATA_DISABLED: 'true',
      },
      command: process.execPath, args: ['-e', CHILD, out, overrides.mode ?? 'ecs', ...(overrides.paths ?? [])],
      debug: () => {}, help: () => {}, sts,
      ...overrides,
    };
    const read = () => JSON.parse(readFileSync(out, 'utf8')) as { env: Record<string, string>; answers: Array<{ status: number; body: string }> };
    return { options, read, out, providerCalls: () => providerCalls, assumed };
  }

  it('ECS: the child gets the server\'s URI and token, no keys, and both routes work; the role is assumed once', async () => {
    const t = setup({ paths: ['/', `/role-arn/${ARN}`, `/role-arn/${ARN}`] });
    assert.equal(await runWithServer(t.options), 0);
    const { env, answers } = t.read();
    assert.match(env['AWS_CONTAINER_CREDENTIALS_FULL_URI'] ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(env['AWS_CONTAINER_AUTHORIZATION_TOKEN'] ?? '', /^[A-Za-z0-9_-]{40}$/);
    assert.equal(env['AWS_VAULT'], 'dev');
    assert.equal(env['AWS_REGION'], 'eu-west-1');
    for (const gone of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE']) {
      assert.equal(env[gone], undefined, gone);
    }
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
    assert.equal(JSON.parse(answers[0]?.body ?? '').AccessKeyId, BASE.accessKeyId);
    assert.equal(JSON.parse(answers[1]?.body ?? '').AccessKeyId, 'ASIAROLEKEY000000001');
    assert.equal(t.assumed.length, 1, 'the role\'s credentials are held in memory');
    const input = t.assumed[0]?.input;
    assert.equal(t.assumed[0]?.by, BASE.accessKeyId, 'assumed with the profile\'s credentials');
    assert.equal(input?.RoleArn, ARN);
    assert.equal(input?.DurationSeconds, 3600, 'the profile\'s 2h, capped to 1h for role chaining');
    assert.match(input?.RoleSessionName ?? '', /^\d+$/, 'aws-vault\'s default session name, not the profile\'s');
    assert.equal(input?.ExternalId, undefined);
    assert.equal(input?.SerialNumber, undefined);
    assert.equal(t.providerCalls(), 1);
    assert.equal(await connectionRefused(Number(new URL(env['AWS_CONTAINER_CREDENTIALS_FULL_URI'] as string).port)), true, 'no listener is left');
  });

  it('passes the child\'s exit code through, and 128+n for a signal', async () => {
    assert.equal(await runWithServer(setup({ exitWith: 7 }).options), 7);
    const t = setup();
    assert.equal(await runWithServer({ ...t.options, args: ['-e', 'process.kill(process.pid, "SIGTERM")'] }), 143);
  });

  it('non-lazy: a provider failure is thrown before the child starts', async () => {
    const t = setup({ providerError: new VaultError('AWS_CALL_FAILED', 'profile dev: sts:GetSessionToken failed: AccessDenied') });
    await assert.rejects(runWithServer(t.options), /profile dev: sts:GetSessionToken failed/);
    assert.equal(existsSync(t.out), false, 'the child did not run');
  });

  it('--lazy: nothing is fetched until the first request', async () => {
    const idle = setup({ lazy: true });
    assert.equal(await runWithServer(idle.options), 0);
    assert.equal(idle.providerCalls(), 0);
    const asking = setup({ lazy: true, paths: ['/'] });
    assert.equal(await runWithServer(asking.options), 0);
    assert.equal(asking.providerCalls(), 1);
    assert.equal(asking.read().answers[0]?.status, 200);
  });

  it('--lazy: a failure on the first request is a 500 for the child, not a crash', async () => {
    const t = setup({ lazy: true, paths: ['/'], providerError: new VaultError('AWS_CALL_FAILED', 'profile dev: no stored credentials') });
    assert.equal(await runWithServer(t.options), 0);
    assert.deepEqual(t.read().answers, [{ status: 500, body: '{"Message":"profile dev: no stored credentials"}\n' }]);
  });

  it('EC2 on a user port: the child gets AWS_EC2_METADATA_SERVICE_ENDPOINT (IPv4) and IMDS is not disabled', async () => {
    const t = setup({ mode: 'ec2', ec2Port: 0, paths: ['/latest/meta-data/iam/security-credentials/local-credentials', '/latest/dynamic/instance-identity/document'] });
    assert.equal(await runWithServer(t.options), 0);
    const { env, answers } = t.read();
    assert.match(env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/, 'with the slash botocore needs');
    assert.equal(env['AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE'], 'IPv4');
    assert.equal(env['AWS_EC2_METADATA_DISABLED'], undefined);
    assert.equal(env['AWS_CONTAINER_CREDENTIALS_FULL_URI'], undefined);
    assert.equal(answers[0]?.status, 200);
    assert.equal(JSON.parse(answers[0]?.body ?? '').Type, 'AWS-HMAC');
    assert.equal(answers[1]?.body, '{"region": "eu-west-1"}');
    assert.equal(await connectionRefused(Number(new URL(env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] as string).port)), true);
  });

  it('EC2 through the proxy: refuses to start when 169.254.169.254:80 already answers, running nothing', async () => {
    const port = await freePort();
    const t = setup({ mode: 'ec2', metadataProxy: { serverPort: port, endpointBusy: async () => true, launch: async () => assert.fail('no launch'), stop: async () => assert.fail('no stop') } });
    await assert.rejects(runWithServer(t.options), (e: VaultError) => e.code === 'EC2_ENDPOINT_BUSY' && e.message === 'Another process is already bound to 169.254.169.254:80');
    assert.equal(existsSync(t.out), false);
    assert.equal(await connectionRefused(port), true);
  });

  it('EC2 through the proxy: server on its fixed port, proxy launched before the child and stopped after it', async () => {
    const serverPort = await freePort();
    const portFile = join(dir, 'proxy-port');
    let proxyPort = 0;
    const events: string[] = [];
    const child = String.raw`
      const http = require('node:http'), fs = require('node:fs');
      const port = Number(fs.readFileSync(process.argv[2], 'utf8'));
      http.get({ host: '127.0.0.1', port, path: '/latest/meta-data/iam/security-credentials/local-credentials', headers: { Host: '169.254.169.254' } }, (res) => {
        let body = ''; res.on('data', (c) => (body += c)).on('end', () => {
          fs.writeFileSync(process.argv[1], JSON.stringify({ status: res.statusCode, body, endpoint: process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? null }));
        });
      });`;
    const out = join(dir, 'proxied.json');
    const t = setup({
      mode: 'ec2',
      command: process.execPath,
      args: ['-e', child, out, portFile],
      env: { PATH: process.env['PATH'], AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://inherited' },
      metadataProxy: {
        serverPort,
        endpointBusy: async () => false,
        launch: async () => {
          const proxy = await startMetadataProxy({ host: '127.0.0.1', port: 0, upstreamPort: serverPort });
          proxyPort = proxy.port;
          writeFileSync(portFile, String(proxy.port));
          events.push('launched');
          void proxy.stopRequested.then(() => proxy.close()).then(() => events.push('proxy closed'));
        },
        stop: async () => {
          events.push('stop');
          await stopMetadataProxy('127.0.0.1', proxyPort);
        },
      },
    });
    assert.equal(await runWithServer(t.options), 0);
    const seen = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(seen.status, 200);
    assert.equal(JSON.parse(seen.body).AccessKeyId, BASE.accessKeyId);
    assert.equal(seen.endpoint, null, 'the child uses the default endpoint, 169.254.169.254');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(events, ['launched', 'stop', 'proxy closed']);
    assert.equal(await connectionRefused(serverPort), true);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
