import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { TOTP_PERIOD_MS, type CreatedMfaDevice, type UserRecord } from '../emulator/state.js';
import { awsBin } from '../helpers/paths.js';
import { runAws } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

const MASKED = /\*{16}[A-Z0-9]{4}/;
const mask = (id: string) => `****************${id.slice(-4)}`;

describe('vault rotate against the emulator', () => {
  let s: Scenario;
  let device: CreatedMfaDevice;
  let alice: UserRecord;

  /** The key stored for dev, as `vault export --no-session` reads it. */
  async function storedKey(): Promise<{ accessKeyId: string; secretAccessKey: string }> {
    const r = await s.vault(['export', '--no-session', '--format=json', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { AccessKeyId: string; SecretAccessKey: string };
    return { accessKeyId: json.AccessKeyId, secretAccessKey: json.SecretAccessKey };
  }

  /** The stored key works for the real AWS CLI, through `vault exec --no-session`. */
  async function assertStoredKeyWorks(): Promise<void> {
    const r = await s.vault(['exec', '--no-session', 'dev', '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url, '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, s.user.arn);
  }

  async function assertKeyRejected(key: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
    assert.equal(s.emulator.state.accessKeyState(key.accessKeyId), 'deleted');
    const r = await runAws(['sts', 'get-caller-identity'], { ...s.home.env, AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, AWS_REGION: 'us-east-1' }, s.emulator.url);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /InvalidClientTokenId/);
  }

  const liveKeys = () => s.emulator.state.accessKeysOf(alice).map((k) => k.accessKeyId);
  const lastRequest = (action: string) => s.emulator.state.requests.filter((r) => r.action === action).at(-1);

  before(async () => {
    s = await startScenario();
    const state = s.emulator.state;
    alice = state.findUser(state.defaultAccountId, 'alice') as UserRecord;
    device = state.createMfaDevice('alice');
    const admin = state.createRole({ name: 'admin', trustedPrincipals: [s.user.arn], requireMfa: true }).arn;
    const readonly = state.createRole({ name: 'readonly', trustedPrincipals: [s.user.arn] }).arn;
    const common = `region = us-east-1\nendpoint_url = ${s.emulator.url}\n`;
    s.home.writeConfig(
      `[profile dev]\n${common}\n` +
        `[profile admin]\nrole_arn = ${admin}\nsource_profile = dev\nmfa_serial = ${device.serialNumber}\n${common}\n` +
        `[profile mid]\nsource_profile = dev\n${common}\n` +
        `[profile readonly]\nrole_arn = ${readonly}\nsource_profile = mid\n${common}\n` +
        `[profile orphan]\n${common}\n`,
    );
  });
  beforeEach(() => {
    s.emulator.state.clearFaults();
    s.emulator.state.advanceClock(TOTP_PERIOD_MS);
  });
  after(() => s.close());

  it('--no-session: prints what aws-vault prints, the old key is deleted, the new one is stored and works', async () => {
    const old = await storedKey();
    const r = await s.vault(['rotate', '--no-session', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    const fresh = await storedKey();
    assert.notEqual(fresh.accessKeyId, old.accessKeyId);
    assert.equal(
      r.stdout,
      [
        "Rotating credentials stored for profile 'dev' using master credentials (takes 10-20 seconds)",
        'Creating a new access key',
        `Created new access key ${mask(fresh.accessKeyId)}`,
        `Deleting old access key ${mask(old.accessKeyId)}`,
        `Deleted old access key ${mask(old.accessKeyId)}`,
        'Finished rotating access key',
        '',
      ].join('\n'),
    );
    assert.equal(r.stderr, '');
    await assertKeyRejected(old);
    await assertStoredKeyWorks();
    assert.equal(lastRequest('DeleteAccessKey')?.accessKeyId, fresh.accessKeyId, 'the new key deleted the old one');
    assert.equal(lastRequest('CreateAccessKey')?.accessKeyId, old.accessKeyId);
  });

  it("without --no-session: deletes the profile's cached sessions too", async () => {
    const primed = await s.vault(['exec', 'dev', '--', 'true']);
    assert.equal(primed.code, 0, primed.stderr);
    const old = await storedKey();
    const r = await s.vault(['rotate', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Rotating credentials stored for profile 'dev' using a session from profile 'dev' \(takes 10-20 seconds\)\n/);
    assert.match(r.stdout, /\nDeleted 1 sessions for dev\n/);
    await assertKeyRejected(old);
    await assertStoredKeyWorks();
    const sessions = await s.vault(['list', '--sessions']);
    assert.doesNotMatch(sessions.stdout, /GetSessionToken/);
  });

  it('a role profile with MFA: one code, the user name found and passed, the old key deleted by the new one', async () => {
    const old = await storedKey();
    s.emulator.state.reset();
    const r = await s.vault(['rotate', '--mfa-token', device.code(), 'admin']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Rotating credentials stored for profile 'dev' using a session from profile 'admin'/);
    const fresh = await storedKey();
    assert.equal(s.emulator.state.calls('sts:AssumeRole'), 1, 'one MFA code, used once');
    const create = lastRequest('CreateAccessKey');
    assert.equal(create?.params['UserName'], 'alice');
    const session = s.emulator.state.session(create?.accessKeyId ?? '');
    assert.equal(session?.kind, 'assumed-role');
    assert.equal(session?.mfaAuthenticated, true);
    const del = lastRequest('DeleteAccessKey');
    assert.equal(del?.params['UserName'], 'alice');
    assert.equal(del?.accessKeyId, fresh.accessKeyId, 'with MFA in the chain, the new key itself deletes the old one');
    await assertKeyRejected(old);
    await assertStoredKeyWorks();
  });

  it('finds the keys through the whole source_profile chain, and deletes the old key through the chain rebuilt on the new key', async () => {
    const old = await storedKey();
    const r = await s.vault(['rotate', 'readonly']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Rotating credentials stored for profile 'dev' using a session from profile 'readonly'/);
    const fresh = await storedKey();
    const del = lastRequest('DeleteAccessKey');
    const session = s.emulator.state.session(del?.accessKeyId ?? '');
    assert.equal(session?.kind, 'assumed-role');
    assert.equal(session?.issuedBy, fresh.accessKeyId, 'the role session that deleted the old key came from the new key');
    await assertKeyRejected(old);
    await assertStoredKeyWorks();
  });

  it('CreateAccessKey fails: the old key stays stored and working, and the error says so on one line', async () => {
    const old = await storedKey();
    s.emulator.state.failNext('iam:CreateAccessKey', { status: 403, code: 'AccessDenied', message: 'not allowed today' });
    const r = await s.vault(['rotate', '-n', 'dev']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^vault: error: profile dev: iam:CreateAccessKey failed: AccessDenied: not allowed today; the stored key \\*{16}${old.accessKeyId.slice(-4)} is unchanged and still live`));
    assert.deepEqual(await storedKey(), old);
    assert.deepEqual(liveKeys(), [old.accessKeyId]);
    await assertStoredKeyWorks();
  });

  it('the new key never works: it is deleted again, the old key stays stored and working', async () => {
    const old = await storedKey();
    s.emulator.state.failNext('sts:GetCallerIdentity', { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', times: 1000 });
    const r = await s.vault(['rotate', '-n', '--key-wait', '2s', 'dev']);
    s.emulator.state.clearFaults();
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^vault: error: profile dev: the new access key \*{16}[A-Z0-9]{4} still did not work after 2s \(\d+ attempts, last error: .*\); it was deleted again; the stored key \*{16}\w{4} is unchanged and still live/);
    assert.deepEqual(await storedKey(), old);
    assert.deepEqual(liveKeys(), [old.accessKeyId]);
    await assertStoredKeyWorks();
  });

  it('DeleteAccessKey fails: the new key is stored and works, the message says the old key must be deleted by hand', async () => {
    const old = await storedKey();
    s.emulator.state.failNext('iam:DeleteAccessKey', { status: 403, code: 'AccessDenied', message: 'explicit deny' });
    const r = await s.vault(['rotate', '-n', 'dev']);
    assert.equal(r.code, 1);
    const fresh = await storedKey();
    assert.notEqual(fresh.accessKeyId, old.accessKeyId);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(
      r.stderr.startsWith(`vault: error: profile dev: iam:DeleteAccessKey failed: AccessDenied: explicit deny; the new key ${mask(fresh.accessKeyId)} is stored and live, but the old key ${mask(old.accessKeyId)} is still active in IAM (delete ${mask(old.accessKeyId)} by hand`),
      r.stderr,
    );
    assert.equal(s.emulator.state.accessKeyState(old.accessKeyId), 'active');
    await assertStoredKeyWorks();
  });

  it('two keys already (IAM LimitExceeded): one clear line telling the user to delete the unused key', async () => {
    assert.equal(liveKeys().length, 2, 'the previous test left the old key behind');
    const stored = await storedKey();
    const r = await s.vault(['rotate', '-n', 'dev']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^vault: error: profile dev: iam:CreateAccessKey failed: LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2; the stored key \*{16}\w{4} is unchanged and still live \(IAM allows two access keys per user: delete the one vault does not store/);
    assert.match(r.stderr, MASKED);
    assert.ok(!r.stderr.includes(stored.secretAccessKey), 'the secret key is not printed');
    assert.deepEqual(await storedKey(), stored);
    await assertStoredKeyWorks();
  });

  it('a profile with no stored keys anywhere in its chain is an error naming it', async () => {
    const r = await s.vault(['rotate', '-n', 'orphan']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vault: error: profile orphan: no stored long-term keys/);
    const missing = await s.vault(['rotate', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^vault: error: profile nosuch not found/);
  });
});
