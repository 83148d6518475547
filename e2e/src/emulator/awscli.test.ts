import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from './server.js';
import type { CreatedUser } from './state.js';
import { AWS_CLI, runAwsCli, type Keys } from './testing.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

// The Debian AWS CLI v2 (botocore) against the emulator: a second,
// independent SigV4 signer and query-protocol client.

let emulator: Emulator;
let alice: CreatedUser;
let scratch: string;

before(async () => {
  emulator = await startEmulator();
  alice = emulator.state.createUser('alice');
  scratch = mkdtempSync(join(tmpdir(), 'aws-emulator-cli-'));
});
after(async () => {
  await emulator.close();
  rmSync(scratch, { recursive: true, force: true });
});

const keysOf = (user: CreatedUser): Keys => ({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });

function json(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>;
}

function credentialsIn(stdout: string): Keys {
  const credentials = json(stdout).Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  return { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken };
}

describe('AWS CLI v2', () => {
  test('the CLI is installed', () => {
    assert.ok(existsSync(AWS_CLI), 'install awscli: apt-get install -y awscli');
  });

  test('sts get-caller-identity and iam get-user with long-term keys', async () => {
    const [identity, user] = await Promise.all([
      runAwsCli(emulator.url, keysOf(alice), ['sts', 'get-caller-identity']),
      runAwsCli(emulator.url, keysOf(alice), ['iam', 'get-user']),
    ]);
    assert.equal(identity.code, 0, identity.stderr);
    assert.equal(json(identity.stdout).Arn, 'arn:aws:iam::123456789012:user/alice');
    assert.equal(user.code, 0, user.stderr);
    assert.equal((json(user.stdout).User as { Arn: string }).Arn, alice.arn);
  });

  test('a wrong secret and an unknown key are rejected', async () => {
    const [wrong, unknown] = await Promise.all([
      runAwsCli(emulator.url, { ...keysOf(alice), secretAccessKey: 'z'.repeat(40) }, ['sts', 'get-caller-identity']),
      runAwsCli(emulator.url, { accessKeyId: fakeAccessKeyId('IOSFODNN7EXAMPLE'), secretAccessKey: 'z'.repeat(40) }, ['sts', 'get-caller-identity']),
    ]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /\(SignatureDoesNotMatch\)/);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /\(InvalidClientTokenId\).*The security token included in the request is invalid/);
  });

  test('sts assume-role, then calls with the role session (AWS_SESSION_TOKEN)', async () => {
    const role = emulator.state.createRole({ name: 'deployer', trustedPrincipals: [alice.arn], externalId: 'cli-ext' });
    const assumed = await runAwsCli(emulator.url, keysOf(alice), [
      'sts', 'assume-role', '--role-arn', role.arn, '--role-session-name', 'cli', '--external-id', 'cli-ext',
      '--tags', 'Key=team,Value=red', '--source-identity', 'alice',
    ]);
    assert.equal(assumed.code, 0, assumed.stderr);
    assert.equal((json(assumed.stdout).AssumedRoleUser as { Arn: string }).Arn, 'arn:aws:sts::123456789012:assumed-role/deployer/cli');
    const roleKeys = credentialsIn(assumed.stdout);
    assert.deepEqual(emulator.state.session(roleKeys.accessKeyId)?.tags, [{ key: 'team', value: 'red' }]);

    const identity = await runAwsCli(emulator.url, roleKeys, ['sts', 'get-caller-identity']);
    assert.equal(identity.code, 0, identity.stderr);
    assert.equal(json(identity.stdout).Arn, 'arn:aws:sts::123456789012:assumed-role/deployer/cli');

    const denied = await runAwsCli(emulator.url, keysOf(alice), ['sts', 'assume-role', '--role-arn', role.arn, '--role-session-name', 'cli']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /\(AccessDenied\).*is not authorized to perform: sts:AssumeRole/);
  });

  test('get-session-token with MFA, then IAM with the session; expired sessions fail', async () => {
    const mfaUser = emulator.state.createUser('cli-mfa');
    const device = emulator.state.createMfaDevice('cli-mfa');
    const session = await runAwsCli(emulator.url, keysOf(mfaUser), [
      'sts', 'get-session-token', '--serial-number', device.serialNumber, '--token-code', device.code(), '--duration-seconds', '900',
    ]);
    assert.equal(session.code, 0, session.stderr);
    const keys = credentialsIn(session.stdout);
    const keysList = await runAwsCli(emulator.url, keys, ['iam', 'list-access-keys']);
    assert.equal(keysList.code, 0, keysList.stderr);
    assert.deepEqual(
      (json(keysList.stdout).AccessKeyMetadata as { AccessKeyId: string }[]).map((k) => k.AccessKeyId),
      [mfaUser.accessKeyId],
    );
    emulator.state.advanceClock(15 * 60_000);
    const expired = await runAwsCli(emulator.url, keys, ['sts', 'get-caller-identity']);
    assert.notEqual(expired.code, 0);
    assert.match(expired.stderr, /\(ExpiredToken\).*The security token included in the request is expired/);
  });

  test('a presigned GetCallerIdentity URL from botocore works over GET', async () => {
    // The CLI's bundled botocore makes the presigned URL, for GET as `aws eks get-token` does.
    const script = [
      'import sys',
      'from awscli.botocore.session import Session',
      "c = Session().create_client('sts', region_name='us-east-1', endpoint_url=sys.argv[1],",
      '    aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])',
      "print(c.generate_presigned_url('get_caller_identity', Params={}, ExpiresIn=60, HttpMethod='GET'))",
    ].join('\n');
    const url = await new Promise<string>((resolve, reject) => {
      execFile(
        '/usr/bin/python3',
        ['-c', script, emulator.url, alice.accessKeyId, alice.secretAccessKey],
        { env: { PATH: '/usr/bin:/bin' }, timeout: 20_000 },
        (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim())),
      );
    });
    assert.match(url, /X-Amz-Signature=/);
    const ok = await fetch(url);
    const body = await ok.text();
    assert.equal(ok.status, 200, body);
    assert.match(body, /<Arn>arn:aws:iam::123456789012:user\/alice<\/Arn>/);
    const tampered = await fetch(url.replace('Version=2011-06-15', 'Version=2011-06-15&Extra=1'));
    assert.equal(tampered.status, 403);
    assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  test('the JSON protocol (awsJson1_0 with X-Amz-Target) also works', async () => {
    // Give the CLI an STS model that speaks JSON, as a query-compatible JSON service would.
    const model = JSON.parse(
      readFileSync('/usr/lib/python3/dist-packages/awscli/botocore/data/sts/2011-06-15/service-2.json', 'utf8'),
    ) as { metadata: Record<string, unknown> };
    Object.assign(model.metadata, {
      protocol: 'json',
      jsonVersion: '1.0',
      targetPrefix: 'AWSSecurityTokenServiceV20110615',
      awsQueryCompatible: {},
    });
    const dir = join(scratch, 'data', 'sts', '2011-06-15');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'service-2.json'), JSON.stringify(model));
    const env = { AWS_DATA_PATH: join(scratch, 'data') };
    const [identity, session, bad] = await Promise.all([
      runAwsCli(emulator.url, keysOf(alice), ['sts', 'get-caller-identity'], env),
      runAwsCli(emulator.url, keysOf(alice), ['sts', 'get-session-token', '--duration-seconds', '900'], env),
      runAwsCli(emulator.url, { ...keysOf(alice), secretAccessKey: 'q'.repeat(40) }, ['sts', 'get-caller-identity'], env),
    ]);
    assert.equal(identity.code, 0, identity.stderr);
    assert.equal(json(identity.stdout).Arn, alice.arn);
    assert.equal(session.code, 0, session.stderr);
    assert.match(credentialsIn(session.stdout).accessKeyId, /^ASIA/);
    assert.match(bad.stderr, /\(SignatureDoesNotMatch\)/);
    const jsonCalls = emulator.state.requests.filter((r) => r.action === 'GetCallerIdentity');
    assert.ok(jsonCalls.length >= 2);
  });
});
