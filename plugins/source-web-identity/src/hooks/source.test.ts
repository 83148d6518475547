import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadAwsConfig, providerForProfile, resolveProfile } from '@awsvault/core';
import { fixedPrompt, memoryBackend } from '@awsvault/core/testing';
import hook from './source.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

// The hook through core's providerForProfile and the real AWS SDK (core's loadSts), against a small
// HTTP server standing in for STS.

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl';
let dir: string;
let server: Server;
let url: string;
const requests: Array<{ authorization: string | undefined; params: URLSearchParams }> = [];
let reply: { status: number; body: string };
let config: ReturnType<typeof loadAwsConfig>;

const success = () => {
  const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>` +
    `<Credentials><AccessKeyId>ASIAWEBIDENTITY0001</AccessKeyId><SecretAccessKey>web-secret</SecretAccessKey><SessionToken>web-token</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
    `<SubjectFromWebIdentityToken>test</SubjectFromWebIdentityToken><AssumedRoleUser><AssumedRoleId>AROAX:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/web/s</Arn></AssumedRoleUser>` +
    `<Provider>https://issuer.test</Provider><Audience>sts.amazonaws.com</Audience></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`;
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vault-wi-source-'));
  writeFileSync(join(dir, 'token'), TOKEN);
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      requests.push({ authorization: req.headers.authorization, params: new URLSearchParams(body) });
      res.writeHead(reply.status, { 'content-type': 'text/xml' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const configFile = join(dir, 'config');
  writeFileSync(
    configFile,
    [
      '[profile wi]',
      'role_arn = arn:aws:iam::123456789012:role/web',
      `web_identity_token_file = ${join(dir, 'token')}`,
      'region = eu-west-1',
      `endpoint_url = ${url}`,
      '[profile wi-process]',
      'role_arn = arn:aws:iam::123456789012:role/web',
      'web_identity_token_process = print-token --audience sts',
      '[profile token-only]',
      `web_identity_token_file = ${join(dir, 'token')}`,
      '[profile role-only]',
      'role_arn = arn:aws:iam::123456789012:role/web',
      '',
    ].join('\n'),
  );
  config = loadAwsConfig({ configFile, credentialsFile: join(dir, 'credentials') });
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const profile = (name: string) => resolveProfile(config, name, { env: {} });

async function provider(name: string, backend = memoryBackend()) {
  const lines: string[] = [];
  const p = await providerForProfile(profile(name), {
    backend,
    env: { AWS_MAX_ATTEMPTS: '1' },
    mfaPrompt: fixedPrompt(),
    sources: [await hook()],
    debug: (line) => lines.push(line),
  });
  return { provider: p, lines };
}

describe('the web-identity source hook', () => {
  it('declares the web-identity source with aws-vault\'s session type', async () => {
    const definition = await hook();
    assert.equal(definition.name, 'web-identity');
    assert.equal(definition.sessionType, 'sts.AssumeRoleWithWebIdentity');
    assert.equal(definition.sessionKeyDetail, undefined, 'the third field of the session key is empty');
    assert.equal(definition.matches(profile('wi')), true);
    assert.equal(definition.matches(profile('wi-process')), true);
    assert.equal(definition.matches(profile('token-only')), false, 'needs role_arn');
    assert.equal(definition.matches(profile('role-only')), false);
  });

  it('assumes the role unsigned and caches the session: the second run makes no STS call', async () => {
    requests.length = 0;
    reply = { status: 200, body: success() };
    const backend = memoryBackend();
    const saved = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
    process.env['AWS_ACCESS_KEY_ID'] = fakeAccessKeyId('FROMENVIRONMENT1');
    process.env['AWS_SECRET_ACCESS_KEY'] = 'must-not-be-used';
    try {
      const first = await (await provider('wi', backend)).provider();
      assert.equal(first.accessKeyId, 'ASIAWEBIDENTITY0001');
      const { provider: again, lines } = await provider('wi', backend);
      assert.equal((await again()).accessKeyId, 'ASIAWEBIDENTITY0001');
      assert.ok(lines.some((line) => line.includes('re-using cached credentials ****************0001 from sts.AssumeRoleWithWebIdentity')), lines.join('\n'));
    } finally {
      if (saved.id === undefined) delete process.env['AWS_ACCESS_KEY_ID'];
      else process.env['AWS_ACCESS_KEY_ID'] = saved.id;
      if (saved.secret === undefined) delete process.env['AWS_SECRET_ACCESS_KEY'];
      else process.env['AWS_SECRET_ACCESS_KEY'] = saved.secret;
    }
    assert.equal(requests.length, 1);
    const [request] = requests;
    assert.equal(request?.authorization, undefined, 'not signed');
    assert.equal(request?.params.get('Action'), 'AssumeRoleWithWebIdentity');
    assert.equal(request?.params.get('RoleArn'), 'arn:aws:iam::123456789012:role/web');
    assert.equal(request?.params.get('WebIdentityToken'), TOKEN);
    assert.equal(request?.params.get('DurationSeconds'), '3600');
    assert.match(request?.params.get('RoleSessionName') ?? '', /^\d{19,}$/);
    const keys = await backend.keys();
    assert.equal(keys.length, 1);
    assert.match(keys[0] ?? '', /^sts\.AssumeRoleWithWebIdentity,d2k,,\d+$/);
  });

  it('reports an STS error in one line with the profile and the AWS code, and caches nothing', async () => {
    reply = {
      status: 400,
      body: '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Incorrect token audience</Message></Error><RequestId>r</RequestId></ErrorResponse>',
    };
    const backend = memoryBackend();
    await assert.rejects((await provider('wi', backend)).provider(), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'AWS_CALL_FAILED');
      assert.equal(error.message, 'profile wi: sts:AssumeRoleWithWebIdentity failed: InvalidIdentityToken: Incorrect token audience');
      return true;
    });
    assert.deepEqual(await backend.keys(), []);
  });
});
