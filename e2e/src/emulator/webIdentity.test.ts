import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { signJwt, unsignedJwt, type CreatedOidcProvider } from './oidc.js';
import { startEmulator, type Emulator } from './server.js';
import { keysFrom, rejectsWith, runAwsCli, stsClient } from './testing.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

// AssumeRoleWithWebIdentity driven by @aws-sdk/client-sts, which sends it unsigned
// (the operation is modelled `smithy.api#noAuth`), and by the AWS CLI.

const ISSUER = 'https://oidc.example.test/cluster-1';
const AUDIENCE = 'sts.amazonaws.com';

let emulator: Emulator;
let provider: CreatedOidcProvider;
let roleArn: string;
let anonymous: STSClient;

before(async () => {
  emulator = await startEmulator();
  provider = emulator.state.createOidcProvider({ issuer: ISSUER, audience: [AUDIENCE, 'second-client'] });
  roleArn = emulator.state.createRole({ name: 'web', trustedPrincipals: [`oidc:${ISSUER}`], maxSessionDuration: 7200 }).arn;
  anonymous = new STSClient({ endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1 });
});
after(() => emulator.close());

const assume = (token: string, extra: { RoleArn?: string; DurationSeconds?: number; RoleSessionName?: string } = {}) =>
  anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'ci-run', WebIdentityToken: token, ...extra }));

describe('AssumeRoleWithWebIdentity', () => {
  test('an unsigned call with a valid token returns a role session that works', async () => {
    emulator.state.reset();
    const out = await assume(provider.sign({ sub: 'repo:octo/app:ref:refs/heads/main' }));
    assert.equal(out.SubjectFromWebIdentityToken, 'repo:octo/app:ref:refs/heads/main');
    assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/web/ci-run');
    assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:ci-run$/);
    assert.equal(out.Provider, ISSUER);
    assert.equal(out.Audience, AUDIENCE);
    assert.equal(out.Credentials?.Expiration?.getTime(), Math.floor(emulator.state.now() / 1000) * 1000 + 3600_000);

    const [entry] = emulator.state.requests;
    assert.equal(entry?.action, 'AssumeRoleWithWebIdentity');
    assert.equal(entry?.accessKeyId, undefined, 'the request was not signed');
    assert.equal(entry?.params.WebIdentityToken, '<redacted>');
    assert.equal(emulator.state.calls('sts:AssumeRoleWithWebIdentity'), 1);

    const who = await stsClient(emulator.url, keysFrom(out.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, 'arn:aws:sts::123456789012:assumed-role/web/ci-run');
    const session = emulator.state.session(out.Credentials?.AccessKeyId ?? '');
    assert.deepEqual(session?.webIdentity, { providerArn: provider.arn, subject: 'repo:octo/app:ref:refs/heads/main', audience: AUDIENCE });
  });

  test('any of the provider\'s audiences is accepted, in a string or a list', async () => {
    const out = await assume(provider.sign({ aud: ['other', 'second-client'] }));
    assert.equal(out.Audience, 'second-client');
  });

  test('an expired token is ExpiredTokenException (400)', async () => {
    const iat = Math.floor(emulator.state.now() / 1000) - 7200;
    await rejectsWith(assume(provider.sign({ iat, exp: iat + 3600 })), 'ExpiredTokenException', { status: 400, message: /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/ });
  });

  test('a token expires on the virtual clock', async () => {
    const token = provider.sign({ exp: Math.floor(emulator.state.now() / 1000) + 60 });
    emulator.state.advanceClock(61_000);
    try {
      await rejectsWith(assume(token), 'ExpiredTokenException', { status: 400 });
    } finally {
      emulator.state.advanceClock(-61_000);
    }
  });

  test('an unsigned (alg none) or forged token is InvalidIdentityToken (400)', async () => {
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: Math.floor(emulator.state.now() / 1000) + 600 };
    await rejectsWith(assume(unsignedJwt(claims)), 'InvalidIdentityToken', { status: 400, message: /could not be validated by AWS/ });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await rejectsWith(assume(signJwt({ alg: 'RS256', typ: 'JWT' }, claims, privateKey)), 'InvalidIdentityToken', { status: 400 });
    await rejectsWith(assume('not-a-jwt'), 'InvalidIdentityToken', { status: 400 });
  });

  test('a token for another audience is InvalidIdentityToken "Incorrect token audience"', async () => {
    await rejectsWith(assume(provider.sign({ aud: 'someone-else' })), 'InvalidIdentityToken', { status: 400, message: 'Incorrect token audience' });
  });

  test('a token from an issuer with no provider in the role\'s account is InvalidIdentityToken', async () => {
    const stranger = emulator.state.createOidcProvider({ issuer: 'https://elsewhere.example.test', audience: AUDIENCE, accountId: '210987654321' });
    await rejectsWith(assume(stranger.sign()), 'InvalidIdentityToken', {
      status: 400,
      message: 'No OpenIDConnect provider found in your account for https://elsewhere.example.test',
    });
  });

  test('a token without sub is IDPRejectedClaim (403)', async () => {
    await rejectsWith(assume(provider.sign({ sub: undefined })), 'IDPRejectedClaim', { status: 403 });
  });

  test('the role must trust the provider, and its sub pattern must match', async () => {
    const byArn = emulator.state.createRole({ name: 'main-only', trustedPrincipals: [provider.arn], webIdentitySubject: 'repo:octo/app:ref:refs/heads/*' }).arn;
    const ok = await assume(provider.sign({ sub: 'repo:octo/app:ref:refs/heads/main' }), { RoleArn: byArn });
    assert.equal(ok.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/main-only/ci-run');
    await rejectsWith(assume(provider.sign({ sub: 'repo:octo/app:pull_request' }), { RoleArn: byArn }), 'AccessDenied', {
      status: 403,
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    });
    const untrusting = emulator.state.createRole({ name: 'users-only', trustedPrincipals: ['123456789012'] }).arn;
    await rejectsWith(assume(provider.sign(), { RoleArn: untrusting }), 'AccessDenied', { status: 403 });
    await rejectsWith(assume(provider.sign(), { RoleArn: 'arn:aws:iam::123456789012:role/missing' }), 'AccessDenied', { status: 403 });
  });

  test('DurationSeconds has AssumeRole\'s limits', async () => {
    const long = await assume(provider.sign(), { DurationSeconds: 7200 });
    assert.equal(long.Credentials?.Expiration?.getTime(), Math.floor(emulator.state.now() / 1000) * 1000 + 7200_000);
    await rejectsWith(assume(provider.sign(), { DurationSeconds: 7201 }), 'ValidationError', {
      status: 400,
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    await rejectsWith(assume(provider.sign(), { DurationSeconds: 899 }), 'ValidationError', { status: 400, message: /at 'durationSeconds' failed to satisfy constraint/ });
  });

  test('the AWS CLI calls it unsigned (--no-sign-request) and reads the answer', async () => {
    const r = await runAwsCli(emulator.url, { accessKeyId: fakeAccessKeyId('UNUSED000000000A'), secretAccessKey: 'x'.repeat(40) }, [
      'sts', 'assume-role-with-web-identity', '--no-sign-request',
      '--role-arn', roleArn, '--role-session-name', 'cli', '--web-identity-token', provider.sign({ sub: 'cli-subject' }),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { SubjectFromWebIdentityToken: string; AssumedRoleUser: { Arn: string }; Credentials: { AccessKeyId: string } };
    assert.equal(out.SubjectFromWebIdentityToken, 'cli-subject');
    assert.equal(out.AssumedRoleUser.Arn, 'arn:aws:sts::123456789012:assumed-role/web/cli');
    assert.match(out.Credentials.AccessKeyId, /^ASIA/);
  });
});
