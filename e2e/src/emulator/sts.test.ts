import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
} from '@aws-sdk/client-sts';
import { startEmulator, type Emulator } from './server.js';
import type { CreatedUser } from './state.js';
import { alignToTotpStep, keysFrom, rejectsWith, stsClient, type Keys } from './testing.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

// These tests drive the emulator with @aws-sdk/client-sts, which signs real
// SigV4 requests; nothing in the emulator is stubbed.

let emulator: Emulator;
let alice: CreatedUser;

before(async () => {
  emulator = await startEmulator();
  alice = emulator.state.createUser('alice');
});
after(() => emulator.close());

const keysOf = (user: CreatedUser): Keys => ({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
const identity = (keys: Keys) => stsClient(emulator.url, keys).send(new GetCallerIdentityCommand({}));

describe('SigV4 authentication', () => {
  test('GetCallerIdentity with an issued long-term key', async () => {
    const out = await identity(keysOf(alice));
    assert.equal(out.Arn, 'arn:aws:iam::123456789012:user/alice');
    assert.equal(out.Account, '123456789012');
    assert.match(out.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
    assert.match(alice.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(alice.secretAccessKey.length, 40);
  });

  test('a wrong secret is SignatureDoesNotMatch (403)', async () => {
    await rejectsWith(identity({ ...keysOf(alice), secretAccessKey: 'x'.repeat(40) }), 'SignatureDoesNotMatch', {
      status: 403,
      message: /^The request signature we calculated does not match the signature you provided/,
    });
  });

  test('an unknown key is InvalidClientTokenId (403)', async () => {
    await rejectsWith(identity({ accessKeyId: fakeAccessKeyId('IOSFODNN7EXAMPLE'), secretAccessKey: alice.secretAccessKey }), 'InvalidClientTokenId', {
      status: 403,
      message: 'The security token included in the request is invalid.',
    });
  });

  test('a long-term key sent with a session token is InvalidClientTokenId', async () => {
    await rejectsWith(identity({ ...keysOf(alice), sessionToken: 'stale-token' }), 'InvalidClientTokenId');
  });

  test('clock skew beyond 5 minutes is SignatureDoesNotMatch "Signature expired" / "not yet current"', async () => {
    const behind = stsClient(emulator.url, keysOf(alice), { systemClockOffset: -10 * 60_000 });
    await rejectsWith(behind.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', {
      status: 403,
      message: /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
    });
    const ahead = stsClient(emulator.url, keysOf(alice), { systemClockOffset: 10 * 60_000 });
    await rejectsWith(ahead.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', {
      message: /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
    });
    // Within the window is fine.
    const slightly = stsClient(emulator.url, keysOf(alice), { systemClockOffset: -2 * 60_000 });
    await slightly.send(new GetCallerIdentityCommand({}));
  });
});

describe('GetSessionToken', () => {
  test('with a correct TOTP code; the session acts as the user and remembers MFA', async () => {
    const bob = emulator.state.createUser('bob');
    const device = emulator.state.createMfaDevice('bob');
    assert.equal(device.serialNumber, 'arn:aws:iam::123456789012:mfa/bob');
    const out = await stsClient(emulator.url, keysOf(bob)).send(
      new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: device.code(), DurationSeconds: 3600 }),
    );
    const keys = keysFrom(out.Credentials);
    assert.match(keys.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok((keys.sessionToken ?? '').length > 300, 'session tokens are long');
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - emulator.state.now();
    assert.ok(expiresIn > 3590_000 && expiresIn <= 3600_000, `expires in an hour (${expiresIn} ms)`);

    const me = await identity(keys);
    assert.equal(me.Arn, bob.arn, 'a GetSessionToken session is reported as the user itself');
    assert.equal(me.UserId, bob.userId);
    assert.equal(emulator.state.session(keys.accessKeyId)?.mfaAuthenticated, true);

    // Secrets never reach the request log.
    const logged = emulator.state.requests.find((r) => r.action === 'GetSessionToken' && r.accessKeyId === bob.accessKeyId);
    assert.equal(logged?.params.TokenCode, '<redacted>');
    assert.equal(logged?.params.SerialNumber, device.serialNumber);
  });

  test('a reused, wrong or foreign MFA code is AccessDenied', async () => {
    const carol = emulator.state.createUser('carol');
    const device = emulator.state.createMfaDevice('carol');
    const client = stsClient(emulator.url, keysOf(carol));
    const code = device.code();
    await client.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: code }));
    await rejectsWith(client.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: code })), 'AccessDenied', {
      status: 403,
      message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
    });
    const wrong = code === '000000' ? '111111' : '000000';
    emulator.state.advanceClock(30_000);
    await rejectsWith(client.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: wrong })), 'AccessDenied');
    // The previous 30-second code is still accepted; the next one is not yet.
    const frank = emulator.state.createUser('frank');
    const frankDevice = emulator.state.createMfaDevice('frank');
    const frankSts = stsClient(emulator.url, keysOf(frank));
    alignToTotpStep(emulator.state);
    const now = emulator.state.now();
    await rejectsWith(
      frankSts.send(new GetSessionTokenCommand({ SerialNumber: frankDevice.serialNumber, TokenCode: frankDevice.code(now + 30_000) })),
      'AccessDenied',
    );
    await frankSts.send(new GetSessionTokenCommand({ SerialNumber: frankDevice.serialNumber, TokenCode: frankDevice.code(now - 30_000) }));
    await rejectsWith(
      client.send(new GetSessionTokenCommand({ SerialNumber: 'arn:aws:iam::123456789012:mfa/alice', TokenCode: '123456' })),
      'AccessDenied',
      { message: /^MultiFactorAuthentication failed, unable to validate MFA code\. {2}Please verify/ },
    );
    await rejectsWith(
      client.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: '12345' })),
      'ValidationError',
      { status: 400, message: "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6" },
    );
  });

  test('session credentials may not call it; duration limits are enforced', async () => {
    const out = await stsClient(emulator.url, keysOf(alice)).send(new GetSessionTokenCommand({}));
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - emulator.state.now();
    assert.ok(expiresIn > 43190_000 && expiresIn <= 43200_000, 'default is 12 hours');
    await rejectsWith(stsClient(emulator.url, keysFrom(out.Credentials)).send(new GetSessionTokenCommand({})), 'AccessDenied', {
      status: 403,
      message: 'Cannot call GetSessionToken with session credentials',
    });
    await rejectsWith(stsClient(emulator.url, keysOf(alice)).send(new GetSessionTokenCommand({ DurationSeconds: 129601 })), 'ValidationError', {
      message: /Member must have value less than or equal to 129600$/,
    });
  });

  test('a missing or wrong session token is InvalidClientTokenId; an expired session is ExpiredToken', async () => {
    const out = await stsClient(emulator.url, keysOf(alice)).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const keys = keysFrom(out.Credentials);
    await identity(keys);
    const { sessionToken: _dropped, ...withoutToken } = keys;
    await rejectsWith(identity(withoutToken), 'InvalidClientTokenId', { status: 403 });
    await rejectsWith(identity({ ...keys, sessionToken: `${keys.sessionToken}x` }), 'InvalidClientTokenId');
    emulator.state.advanceClock(901_000);
    assert.equal(emulator.state.accessKeyState(keys.accessKeyId), 'expired');
    await rejectsWith(identity(keys), 'ExpiredToken', {
      status: 403,
      message: 'The security token included in the request is expired',
    });
  });
});

describe('AssumeRole', () => {
  test('a trusted user gets a role session reported as assumed-role', async () => {
    const role = emulator.state.createRole({ name: 'reader', trustedPrincipals: [alice.arn] });
    const out = await stsClient(emulator.url, keysOf(alice)).send(
      new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'alice-session' }),
    );
    assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/reader/alice-session');
    assert.equal(out.AssumedRoleUser?.AssumedRoleId, `${role.roleId}:alice-session`);
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - emulator.state.now();
    assert.ok(expiresIn > 3590_000 && expiresIn <= 3600_000, 'default is 1 hour');
    const me = await identity(keysFrom(out.Credentials));
    assert.equal(me.Arn, 'arn:aws:sts::123456789012:assumed-role/reader/alice-session');
    assert.equal(me.UserId, `${role.roleId}:alice-session`);
  });

  test('trust is enforced: other users, unknown roles and other accounts are AccessDenied', async () => {
    const dave = emulator.state.createUser('dave');
    const role = emulator.state.createRole({ name: 'only-alice', trustedPrincipals: [alice.arn] });
    const message = `User: ${dave.arn} is not authorized to perform: sts:AssumeRole on resource: ${role.arn}`;
    const daveSts = stsClient(emulator.url, keysOf(dave));
    await rejectsWith(daveSts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 's1' })), 'AccessDenied', { status: 403, message });
    const missing = 'arn:aws:iam::123456789012:role/missing';
    await rejectsWith(daveSts.send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: 's1' })), 'AccessDenied');

    // A role in another account that trusts this account's root admits any of its principals.
    const cross = emulator.state.createRole({ name: 'cross', accountId: '210987654321', trustedPrincipals: ['arn:aws:iam::123456789012:root'] });
    const out = await daveSts.send(new AssumeRoleCommand({ RoleArn: cross.arn, RoleSessionName: 'x-acct' }));
    assert.equal((await identity(keysFrom(out.Credentials))).Account, '210987654321');
  });

  test('requireMfa: satisfied by SerialNumber/TokenCode or by an MFA session, not by a plain session', async () => {
    const erin = emulator.state.createUser('erin');
    const device = emulator.state.createMfaDevice('erin');
    const role = emulator.state.createRole({ name: 'admin', trustedPrincipals: [erin.arn], requireMfa: true });
    const erinSts = stsClient(emulator.url, keysOf(erin));
    await rejectsWith(erinSts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'no-mfa' })), 'AccessDenied');
    const direct = await erinSts.send(
      new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'mfa', SerialNumber: device.serialNumber, TokenCode: device.code() }),
    );
    assert.equal(emulator.state.session(direct.Credentials?.AccessKeyId ?? '')?.mfaAuthenticated, true);

    const plain = keysFrom((await erinSts.send(new GetSessionTokenCommand({}))).Credentials);
    await rejectsWith(stsClient(emulator.url, plain).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'plain' })), 'AccessDenied');

    emulator.state.advanceClock(30_000); // the last code was used; wait for the next one
    const mfaSession = keysFrom(
      (await erinSts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: device.code() }))).Credentials,
    );
    const viaSession = await stsClient(emulator.url, mfaSession).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'via-session' }));
    assert.ok(viaSession.Credentials?.AccessKeyId);
  });

  test('ExternalId must match when the role requires one', async () => {
    const role = emulator.state.createRole({ name: 'vendor', trustedPrincipals: [alice.arn], externalId: 'ext-123' });
    const client = stsClient(emulator.url, keysOf(alice));
    await rejectsWith(client.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sx' })), 'AccessDenied');
    await rejectsWith(client.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sx', ExternalId: 'ext-999' })), 'AccessDenied');
    await client.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sx', ExternalId: 'ext-123' }));
  });

  test('DurationSeconds: role maximum, 900 minimum, and the one-hour role-chaining cap', async () => {
    const short = emulator.state.createRole({ name: 'short', trustedPrincipals: [alice.arn] });
    const long = emulator.state.createRole({ name: 'long', trustedPrincipals: [alice.arn, 'arn:aws:iam::123456789012:role/long'], maxSessionDuration: 43200 });
    const client = stsClient(emulator.url, keysOf(alice));
    await rejectsWith(client.send(new AssumeRoleCommand({ RoleArn: short.arn, RoleSessionName: 'dd', DurationSeconds: 7200 })), 'ValidationError', {
      status: 400,
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    await rejectsWith(client.send(new AssumeRoleCommand({ RoleArn: short.arn, RoleSessionName: 'dd', DurationSeconds: 899 })), 'ValidationError', {
      message: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    const first = await client.send(new AssumeRoleCommand({ RoleArn: long.arn, RoleSessionName: 'first', DurationSeconds: 7200 }));
    const roleKeys = keysFrom(first.Credentials);
    const chained = stsClient(emulator.url, roleKeys);
    await rejectsWith(chained.send(new AssumeRoleCommand({ RoleArn: long.arn, RoleSessionName: 'second', DurationSeconds: 7200 })), 'ValidationError', {
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    });
    const second = await chained.send(new AssumeRoleCommand({ RoleArn: long.arn, RoleSessionName: 'second', DurationSeconds: 3600 }));
    assert.equal(second.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/long/second');
    // AWS applies the same cap to GetSessionToken credentials.
    const session = keysFrom((await client.send(new GetSessionTokenCommand({}))).Credentials);
    await rejectsWith(
      stsClient(emulator.url, session).send(new AssumeRoleCommand({ RoleArn: long.arn, RoleSessionName: 'third', DurationSeconds: 7200 })),
      'ValidationError',
      { message: /role chaining/ },
    );
  });

  test('RoleSessionName is validated as AWS does', async () => {
    const role = emulator.state.createRole({ name: 'names', trustedPrincipals: [alice.arn] });
    const client = stsClient(emulator.url, keysOf(alice));
    await rejectsWith(client.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'a' })), 'ValidationError', {
      message: "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    });
    await rejectsWith(client.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'has space' })), 'ValidationError', {
      message: "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    await client.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'ok+=,.@-_1' }));
  });

  test('Tags, TransitiveTagKeys and SourceIdentity are recorded on the session and in the request log', async () => {
    const role = emulator.state.createRole({ name: 'tagged', trustedPrincipals: [alice.arn, 'arn:aws:iam::123456789012:role/tagged'] });
    const out = await stsClient(emulator.url, keysOf(alice)).send(
      new AssumeRoleCommand({
        RoleArn: role.arn,
        RoleSessionName: 'tags',
        Tags: [
          { Key: 'team', Value: 'blue' },
          { Key: 'project', Value: 'vault' },
        ],
        TransitiveTagKeys: ['team'],
        SourceIdentity: 'alice@example.com',
      }),
    );
    assert.equal(out.SourceIdentity, 'alice@example.com');
    assert.ok((out.PackedPolicySize ?? 0) > 0);
    const session = emulator.state.session(out.Credentials?.AccessKeyId ?? '');
    assert.deepEqual(session?.tags, [
      { key: 'team', value: 'blue' },
      { key: 'project', value: 'vault' },
    ]);
    assert.deepEqual(session?.transitiveTagKeys, ['team']);
    assert.equal(session?.sourceIdentity, 'alice@example.com');
    const logged = emulator.state.requests.findLast((r) => r.action === 'AssumeRole' && r.status === 200);
    assert.equal(logged?.params['Tags.member.1.Key'], 'team');
    assert.equal(logged?.params['TransitiveTagKeys.member.1'], 'team');
    assert.equal(logged?.params.SourceIdentity, 'alice@example.com');

    // Chaining keeps transitive tags and the source identity.
    const chained = await stsClient(emulator.url, keysFrom(out.Credentials)).send(
      new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'chained' }),
    );
    const next = emulator.state.session(chained.Credentials?.AccessKeyId ?? '');
    assert.deepEqual(next?.tags, [{ key: 'team', value: 'blue' }]);
    assert.equal(next?.sourceIdentity, 'alice@example.com');
  });
});

describe('GetFederationToken', () => {
  test('issues a federated-user session usable only for GetCallerIdentity in STS', async () => {
    const out = await stsClient(emulator.url, keysOf(alice)).send(
      new GetFederationTokenCommand({ Name: 'console', DurationSeconds: 3600, Policy: '{"Version":"2012-10-17","Statement":[]}' }),
    );
    assert.equal(out.FederatedUser?.Arn, 'arn:aws:sts::123456789012:federated-user/console');
    assert.equal(out.FederatedUser?.FederatedUserId, '123456789012:console');
    const keys = keysFrom(out.Credentials);
    const me = await identity(keys);
    assert.equal(me.Arn, 'arn:aws:sts::123456789012:federated-user/console');
    assert.equal(me.UserId, '123456789012:console');
    const role = emulator.state.createRole({ name: 'fed', trustedPrincipals: ['123456789012'] });
    await rejectsWith(stsClient(emulator.url, keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'fed-session' })), 'AccessDenied');
    await rejectsWith(stsClient(emulator.url, keys).send(new GetFederationTokenCommand({ Name: 'again' })), 'AccessDenied', {
      message: 'Cannot call GetFederationToken with session credentials',
    });
  });
});

describe('counters, request log and fault injection', () => {
  test('calls() counts per service:Action; failNext fails the next authenticated calls', async () => {
    emulator.state.reset();
    const client = stsClient(emulator.url, keysOf(alice));
    await client.send(new GetCallerIdentityCommand({}));
    emulator.state.failNext('sts:GetCallerIdentity', { status: 400, code: 'Throttling', message: 'Rate exceeded', times: 2 });
    // A request that fails authentication does not use up the fault.
    await rejectsWith(identity({ ...keysOf(alice), secretAccessKey: 'y'.repeat(40) }), 'SignatureDoesNotMatch');
    await rejectsWith(client.send(new GetCallerIdentityCommand({})), 'Throttling', { status: 400, message: 'Rate exceeded' });
    await rejectsWith(client.send(new GetCallerIdentityCommand({})), 'Throttling');
    await client.send(new GetCallerIdentityCommand({}));
    assert.equal(emulator.state.calls('sts:GetCallerIdentity'), 5);
    assert.equal(emulator.state.calls('GetCallerIdentity'), 5);
    assert.deepEqual(emulator.state.calls(), { 'sts:GetCallerIdentity': 5 });
    assert.deepEqual(
      emulator.state.requests.map((r) => [r.status, r.errorCode ?? null]),
      [
        [200, null],
        [403, 'SignatureDoesNotMatch'],
        [400, 'Throttling'],
        [400, 'Throttling'],
        [200, null],
      ],
    );
    assert.equal(emulator.state.requests[0]?.callerArn, alice.arn);
    assert.equal(emulator.state.requests[0]?.accessKeyId, alice.accessKeyId);
    emulator.state.reset();
    assert.equal(emulator.state.calls('sts:GetCallerIdentity'), 0);
    assert.equal(emulator.state.requests.length, 0);
  });
});
