import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { startEmulator, type Emulator } from './server.js';
import type { CreatedUser } from './state.js';
import { iamClient, keysFrom, rejectsWith, stsClient, type Keys } from './testing.js';

// @aws-sdk/client-iam against the emulator: the key-rotation calls vault makes.

let emulator: Emulator;
before(async () => {
  emulator = await startEmulator();
});
after(() => emulator.close());

const keysOf = (user: { accessKeyId: string; secretAccessKey: string }): Keys => ({
  accessKeyId: user.accessKeyId,
  secretAccessKey: user.secretAccessKey,
});

describe('IAM', () => {
  test('GetUser returns the calling user, or the named one', async () => {
    const alice: CreatedUser = emulator.state.createUser('alice');
    emulator.state.createUser('bob');
    const iam = iamClient(emulator.url, keysOf(alice));
    const me = await iam.send(new GetUserCommand({}));
    assert.equal(me.User?.UserName, 'alice');
    assert.equal(me.User?.Arn, alice.arn);
    assert.equal(me.User?.UserId, alice.userId);
    assert.equal(me.User?.Path, '/');
    assert.ok(me.User?.CreateDate instanceof Date);
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'bob' }))).User?.UserName, 'bob');
    await rejectsWith(iam.send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntity', {
      status: 404,
      message: 'The user with name nobody cannot be found.',
    });
  });

  test('create, list and delete access keys; the deleted key stops working', async () => {
    const rotor = emulator.state.createUser('rotor');
    const iam = iamClient(emulator.url, keysOf(rotor));
    const created = await iam.send(new CreateAccessKeyCommand({}));
    const fresh = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
    assert.equal(created.AccessKey?.UserName, 'rotor');
    assert.equal(created.AccessKey?.Status, 'Active');
    assert.match(fresh.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(fresh.secretAccessKey.length, 40);

    const listed = await iam.send(new ListAccessKeysCommand({}));
    assert.deepEqual(listed.AccessKeyMetadata?.map((k) => k.AccessKeyId).sort(), [rotor.accessKeyId, fresh.accessKeyId].sort());
    assert.equal(listed.IsTruncated, false);

    // IAM allows two keys per user.
    await rejectsWith(iam.send(new CreateAccessKeyCommand({})), 'LimitExceeded', {
      status: 409,
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
    });

    // Rotate: the new key deletes the old one, which is then rejected by SigV4.
    await iamClient(emulator.url, fresh).send(new DeleteAccessKeyCommand({ AccessKeyId: rotor.accessKeyId }));
    assert.equal(emulator.state.accessKeyState(rotor.accessKeyId), 'deleted');
    assert.equal(emulator.state.accessKeyState(fresh.accessKeyId), 'active');
    await rejectsWith(stsClient(emulator.url, keysOf(rotor)).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', { status: 403 });
    const me = await stsClient(emulator.url, fresh).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, rotor.arn);
    await rejectsWith(iamClient(emulator.url, fresh).send(new DeleteAccessKeyCommand({ AccessKeyId: rotor.accessKeyId })), 'NoSuchEntity', {
      status: 404,
      message: `The Access Key with id ${rotor.accessKeyId} cannot be found.`,
    });
    assert.equal(emulator.state.calls('iam:CreateAccessKey'), 2);
    assert.equal(emulator.state.calls('iam:DeleteAccessKey'), 2);
  });

  test('ListMFADevices lists the virtual devices', async () => {
    const mfaUser = emulator.state.createUser('mfa-user');
    const device = emulator.state.createMfaDevice('mfa-user');
    const out = await iamClient(emulator.url, keysOf(mfaUser)).send(new ListMFADevicesCommand({}));
    assert.deepEqual(out.MFADevices?.map((d) => [d.UserName, d.SerialNumber]), [['mfa-user', device.serialNumber]]);
    assert.ok(out.MFADevices?.[0]?.EnableDate instanceof Date);
  });

  test('GetSessionToken credentials reach IAM only when MFA was used; federated ones never', async () => {
    const gina = emulator.state.createUser('gina');
    const device = emulator.state.createMfaDevice('gina');
    const sts = stsClient(emulator.url, keysOf(gina));
    const plain = keysFrom((await sts.send(new GetSessionTokenCommand({}))).Credentials);
    await rejectsWith(iamClient(emulator.url, plain).send(new GetUserCommand({})), 'InvalidClientTokenId', {
      status: 403,
      message: 'The security token included in the request is invalid.',
    });
    const withMfa = keysFrom(
      (await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: device.code() }))).Credentials,
    );
    const me = await iamClient(emulator.url, withMfa).send(new GetUserCommand({}));
    assert.equal(me.User?.UserName, 'gina');
    const federated = keysFrom((await sts.send(new GetFederationTokenCommand({ Name: 'gina-console' }))).Credentials);
    await rejectsWith(iamClient(emulator.url, federated).send(new ListAccessKeysCommand({})), 'InvalidClientTokenId');
  });

  test('role sessions must name the user', async () => {
    const harry = emulator.state.createUser('harry');
    const role = emulator.state.createRole({ name: 'iam-admin', trustedPrincipals: [harry.arn] });
    const out = await stsClient(emulator.url, keysOf(harry)).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'admin' }));
    const iam = iamClient(emulator.url, keysFrom(out.Credentials));
    await rejectsWith(iam.send(new GetUserCommand({})), 'ValidationError', {
      status: 400,
      message: 'Must specify userName when calling with non-User credentials',
    });
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'harry' }))).User?.Arn, harry.arn);
  });
});
