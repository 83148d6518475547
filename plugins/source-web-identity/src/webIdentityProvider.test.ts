import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClientConfig, Credentials, ProfileConfig, StsApi, StsFactory } from '@awsvault/core';
import { webIdentityProvider } from './webIdentityProvider.js';

let dir: string;
let tokenFile: string;
const TOKEN = 'header.payload.signature';
const EXPIRES = new Date(Date.now() + 3600_000);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vault-wi-provider-'));
  tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, TOKEN);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const profile = (fields: Partial<ProfileConfig> = {}): ProfileConfig =>
  ({ name: 'wi', hasSection: true, roleArn: 'arn:aws:iam::123456789012:role/web', webIdentityTokenFile: tokenFile, assumeRoleDuration: 7200, origins: {}, ...fields }) as ProfileConfig;

function fakeSts(answer: (input: unknown) => Promise<unknown> = async () => undefined) {
  const calls: Array<{ config: ClientConfig; credentials: Credentials; input: Record<string, unknown> }> = [];
  const factory: StsFactory = async (config, credentials) => ({
    getSessionToken: async () => assert.fail('not used'),
    assumeRole: async () => assert.fail('not used'),
    getFederationToken: async () => assert.fail('not used'),
    getCallerIdentity: async () => assert.fail('not used'),
    assumeRoleWithWebIdentity: async (input) => {
      calls.push({ config, credentials, input: { ...input } });
      await answer(input);
      return { accessKeyId: 'ASIAWEB', secretAccessKey: 'web-secret', sessionToken: 'web-token', expiration: EXPIRES, assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/web/x', subject: 'sub' };
    },
  } satisfies StsApi);
  return { factory, calls };
}

const ctx = (lines: string[] = []) => ({
  env: process.env,
  debug: (line: string) => lines.push(line),
  clientConfig: (service: string, p: ProfileConfig): ClientConfig => ({ region: `${service}-region-of-${p.name}`, endpoint: 'http://sts.test' }),
});

describe('webIdentityProvider', () => {
  it('calls AssumeRoleWithWebIdentity with the role, a nanosecond session name, the AssumeRole duration and the token', async () => {
    const sts = fakeSts();
    const lines: string[] = [];
    const credentials = await webIdentityProvider(profile(), ctx(lines), { sts: sts.factory })();
    assert.deepEqual(credentials, { accessKeyId: 'ASIAWEB', secretAccessKey: 'web-secret', sessionToken: 'web-token', expiration: EXPIRES });
    const [call] = sts.calls;
    assert.deepEqual(call?.config, { region: 'sts-region-of-wi', endpoint: 'http://sts.test' });
    assert.deepEqual(call?.credentials, { accessKeyId: '', secretAccessKey: '' }, 'no credentials: the call is unsigned');
    assert.equal(call?.input['RoleArn'], 'arn:aws:iam::123456789012:role/web');
    assert.match(String(call?.input['RoleSessionName']), /^\d{19,}$/);
    assert.ok(Math.abs(Number(BigInt(String(call?.input['RoleSessionName'])) / 1_000_000n) - Date.now()) < 10_000, 'Unix time in nanoseconds');
    assert.equal(call?.input['DurationSeconds'], 7200);
    assert.equal(call?.input['WebIdentityToken'], TOKEN);
    assert.deepEqual(Object.keys(call?.input ?? {}).sort(), ['DurationSeconds', 'RoleArn', 'RoleSessionName', 'WebIdentityToken']);
    assert.ok(lines.some((line) => /generated credentials \*{16}AWEB using AssumeRoleWithWebIdentity as arn:aws:sts::123456789012:assumed-role\/web\/x, expires in/.test(line)), lines.join('\n'));
    assert.ok(lines.every((line) => !line.includes(TOKEN) && !line.includes('web-secret')));
  });

  it('uses role_session_name, and never sends external_id, MFA or tags', async () => {
    const sts = fakeSts();
    await webIdentityProvider(profile({ roleSessionName: 'ci', externalId: 'ext', mfaSerial: 'arn:aws:iam::1:mfa/x', sessionTags: { a: 'b' } }), ctx(), { sts: sts.factory })();
    assert.deepEqual(Object.keys(sts.calls[0]?.input ?? {}).sort(), ['DurationSeconds', 'RoleArn', 'RoleSessionName', 'WebIdentityToken']);
    assert.equal(sts.calls[0]?.input['RoleSessionName'], 'ci');
  });

  it('reads the token on every call (core caches the session, not the token)', async () => {
    const sts = fakeSts();
    const provider = webIdentityProvider(profile(), ctx(), { sts: sts.factory });
    await provider();
    writeFileSync(tokenFile, 'rotated.token.value');
    await provider();
    writeFileSync(tokenFile, TOKEN);
    assert.deepEqual(sts.calls.map((c) => c.input['WebIdentityToken']), [TOKEN, 'rotated.token.value']);
  });

  it('turns an STS error into one line naming the profile, the call and the AWS code', async () => {
    const error = Object.assign(new Error('Incorrect token audience'), { name: 'InvalidIdentityToken', $metadata: { httpStatusCode: 400 } });
    const sts = fakeSts(async () => {
      throw error;
    });
    await assert.rejects(webIdentityProvider(profile(), ctx(), { sts: sts.factory })(), (e: { code: string; message: string }) => {
      assert.equal(e.code, 'AWS_CALL_FAILED');
      assert.equal(e.message, 'profile wi: sts:AssumeRoleWithWebIdentity failed: InvalidIdentityToken: Incorrect token audience');
      return true;
    });
  });

  it('fails before calling STS when the token cannot be read', async () => {
    const sts = fakeSts();
    await assert.rejects(webIdentityProvider(profile({ webIdentityTokenFile: join(dir, 'nope') }), ctx(), { sts: sts.factory })(), { code: 'WEB_IDENTITY_TOKEN_UNREADABLE' });
    assert.equal(sts.calls.length, 0);
  });

  it('says so when the STS client cannot make the call', async () => {
    const old: StsFactory = async () => ({
      getSessionToken: async () => assert.fail(),
      assumeRole: async () => assert.fail(),
      getFederationToken: async () => assert.fail(),
      getCallerIdentity: async () => assert.fail(),
    });
    await assert.rejects(webIdentityProvider(profile(), ctx(), { sts: old })(), { code: 'STS_UNSUPPORTED' });
  });
});
