import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CreatedOidcProvider } from '../emulator/oidc.js';
import { awsBin, vaultBin } from '../helpers/paths.js';
import { assertOneLineError, runAws, shellQuote } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

// Web identity through the built CLI: the plugin reads an OIDC token (file or process) and calls
// AssumeRoleWithWebIdentity, unsigned, on the emulator, which checks the token's RS256 signature,
// expiry, audience and subject against a provider registered for the test.

const ISSUER = 'https://oidc.e2e.test/cluster-7';
const AUDIENCE = 'sts.amazonaws.com';
const SUBJECT = 'system:serviceaccount:ci:deployer';

describe('web identity through the whole CLI', () => {
  let s: Scenario;
  let provider: CreatedOidcProvider;
  let roleArn: string;
  const calls = () => s.emulator.state.calls('sts:AssumeRoleWithWebIdentity');
  const identity = (profile: string) =>
    s.vault(['exec', profile, '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url, '--output', 'json']);

  before(async () => {
    s = await startScenario();
    provider = s.emulator.state.createOidcProvider({ issuer: ISSUER, audience: AUDIENCE });
    roleArn = s.emulator.state.createRole({
      name: 'ci-deploy',
      trustedPrincipals: [`oidc:${ISSUER}`],
      webIdentitySubject: 'system:serviceaccount:ci:*',
      maxSessionDuration: 7200,
    }).arn;
    const dir = s.home.dir;
    const token = (name: string, claims: Record<string, unknown> = {}) => {
      const file = join(dir, name);
      writeFileSync(file, provider.sign({ sub: SUBJECT, ...claims }));
      return file;
    };
    const script = (name: string, body: string) => {
      const file = join(dir, name);
      writeFileSync(file, `#!/bin/sh\n${body}\n`);
      chmodSync(file, 0o755);
      return file;
    };
    const now = Math.floor(s.emulator.state.now() / 1000);
    const goodToken = token('token.jwt');
    const emptyToken = join(dir, 'empty-token');
    writeFileSync(emptyToken, '\n');
    const role = `role_arn = ${roleArn}\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n`;
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[profile wi-file]\n${role}web_identity_token_file = ${goodToken}\n\n` +
        `[profile wi-process]\n${role}duration_seconds = 7200\nrole_session_name = e2e-process\n` +
        `web_identity_token_process = ${script('print-token', `echo 'asking the identity provider' >&2\ncat ${shellQuote([goodToken])}`)} --audience ${AUDIENCE}\n\n` +
        `[profile wi-credential-process]\n${role}web_identity_token_file = ${goodToken}\ncredential_process = /bin/false\n\n` +
        `[profile wi-missing]\n${role}web_identity_token_file = ${join(dir, 'no-such-token')}\n\n` +
        `[profile wi-empty]\n${role}web_identity_token_file = ${emptyToken}\n\n` +
        `[profile wi-expired]\n${role}web_identity_token_file = ${token('expired.jwt', { iat: now - 7200, exp: now - 3600 })}\n\n` +
        `[profile wi-audience]\n${role}web_identity_token_file = ${token('audience.jwt', { aud: 'another-client' })}\n\n` +
        `[profile wi-subject]\n${role}web_identity_token_file = ${token('subject.jwt', { sub: 'system:serviceaccount:prod:deployer' })}\n\n` +
        `[profile wi-process-fails]\n${role}web_identity_token_process = ${script('no-token', "echo 'not logged in to the identity provider' >&2\nexit 4")}\n\n` +
        `[profile via-aws]\nregion = us-east-1\ncredential_process = ${shellQuote([process.execPath, vaultBin, 'export', '--format=json', 'wi-process'])}\n`,
    );
  });
  after(() => s.close());

  it('token file: export and exec get the assumed role, the call is unsigned, and the session is cached', async () => {
    const exported = await s.vault(['export', '--format=json', 'wi-file']);
    assert.equal(exported.code, 0, exported.stderr);
    const json = JSON.parse(exported.stdout);
    assert.match(json.AccessKeyId, /^ASIA/);
    assert.ok(json.SessionToken && json.Expiration);
    assert.equal(calls(), 1);
    const request = s.emulator.state.requests.find((r) => r.action === 'AssumeRoleWithWebIdentity');
    assert.equal(request?.accessKeyId, undefined, 'not signed');
    assert.equal(request?.params['RoleArn'], roleArn);
    assert.equal(request?.params['DurationSeconds'], '3600');
    assert.match(request?.params['RoleSessionName'] ?? '', /^\d{19,}$/, 'aws-vault\'s default session name: Unix nanoseconds');
    assert.deepEqual(s.emulator.state.session(json.AccessKeyId)?.webIdentity, { providerArn: provider.arn, subject: SUBJECT, audience: AUDIENCE });

    const r = await identity('wi-file');
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).Arn, /^arn:aws:sts::123456789012:assumed-role\/ci-deploy\/\d{19,}$/);
    assert.equal(calls(), 1, 'the cached session is reused; no second STS call');
    const sessions = await s.vault(['list', '--sessions']);
    assert.match(sessions.stdout, /^sts\.AssumeRoleWithWebIdentity:/m);
  });

  it('token process: stdout is the token, with the profile\'s session name and duration', async () => {
    const before = calls();
    const r = await identity('wi-process');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, 'arn:aws:sts::123456789012:assumed-role/ci-deploy/e2e-process');
    assert.match(r.stderr, /asking the identity provider/, 'the process\'s stderr is passed through');
    assert.equal(calls(), before + 1);
    const request = s.emulator.state.requests.filter((q) => q.action === 'AssumeRoleWithWebIdentity').at(-1);
    assert.equal(request?.params['DurationSeconds'], '7200');

    const again = await identity('wi-process');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(calls(), before + 1, 'cached');
  });

  it('works under /usr/bin/aws as credential_process = vault export --format=json', async () => {
    const r = await runAws(['sts', 'get-caller-identity', '--profile', 'via-aws'], s.home.env, s.emulator.url);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, 'arn:aws:sts::123456789012:assumed-role/ci-deploy/e2e-process');
  });

  it('web identity comes before credential_process on the same profile', async () => {
    const r = await s.vault(['export', '--format=json', 'wi-credential-process']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).AccessKeyId, /^ASIA/);
  });

  it('a missing or empty token, or a failing token process, is one line naming the profile', async () => {
    const before = calls();
    assertOneLineError(
      await s.vault(['export', 'wi-missing']),
      new RegExp(`^vault: error: profile wi-missing: cannot read web_identity_token_file ${join(s.home.dir, 'no-such-token')}: no such file \\(ENOENT\\)`),
    );
    assertOneLineError(await s.vault(['export', 'wi-empty']), /^vault: error: profile wi-empty: web_identity_token_file \S+empty-token is empty$/);
    const failed = await s.vault(['export', 'wi-process-fails']);
    assertOneLineError(failed, /^vault: error: profile wi-process-fails: web_identity_token_process exited with code 4: not logged in to the identity provider$/);
    assert.equal(calls(), before, 'no STS call without a token');
  });

  it('STS refusals are one line with the profile and AWS\'s code: expired token, wrong audience, subject not trusted', async () => {
    assertOneLineError(
      await s.vault(['export', 'wi-expired']),
      /^vault: error: profile wi-expired: sts:AssumeRoleWithWebIdentity failed: ExpiredTokenException: Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/,
    );
    assertOneLineError(await s.vault(['export', 'wi-audience']), /^vault: error: profile wi-audience: sts:AssumeRoleWithWebIdentity failed: InvalidIdentityToken: Incorrect token audience$/);
    assertOneLineError(
      await s.vault(['export', 'wi-subject']),
      /^vault: error: profile wi-subject: sts:AssumeRoleWithWebIdentity failed: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity$/,
    );
    const sessions = await s.vault(['list', '--sessions']);
    assert.equal(sessions.stdout.match(/^sts\.AssumeRoleWithWebIdentity:/gm)?.length, 3, 'the three profiles that worked; failed calls cache nothing');
  });
});
