import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TOTP_PERIOD_MS, type CreatedMfaDevice } from '../emulator/state.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

/**
 * aws-vault's README table of which STS calls each profile shape makes, reproduced against the
 * emulator with ByteNess (7.11+) results: the calls, the MFA codes sent, and what is cached.
 */
describe("aws-vault's provider table, against the emulator", () => {
  let s: Scenario;
  let device: CreatedMfaDevice;
  before(async () => {
    s = await startScenario();
    const state = s.emulator.state;
    device = state.createMfaDevice(s.user.userName);
    const readOnly = state.createRole({ name: 'ReadOnly', trustedPrincipals: [s.user.arn] }).arn;
    const admin = state.createRole({ name: 'Admin', trustedPrincipals: [s.user.arn], requireMfa: true, maxSessionDuration: 4 * 3600 }).arn;
    const role1 = state.createRole({ name: 'role1', trustedPrincipals: [s.user.arn], requireMfa: true }).arn;
    const role2 = state.createRole({ name: 'role2', trustedPrincipals: [role1] }).arn;
    const common = `region = us-east-1\nendpoint_url = ${s.emulator.url}\n`;
    s.home.writeConfig(
      `[profile jonsmith]\n${common}mfa_serial = ${device.serialNumber}\n\n` +
        `[profile foo-readonly]\n${common}source_profile = jonsmith\nrole_arn = ${readOnly}\n\n` +
        `[profile foo-admin]\n${common}source_profile = jonsmith\nrole_arn = ${admin}\nmfa_serial = ${device.serialNumber}\n\n` +
        `[profile bar-role1]\n${common}source_profile = jonsmith\nrole_arn = ${role1}\nmfa_serial = ${device.serialNumber}\n\n` +
        `[profile bar-role2]\n${common}source_profile = bar-role1\nrole_arn = ${role2}\n`,
    );
    const added = await s.vault(['add', '--env', '--force', 'jonsmith'], { AWS_ACCESS_KEY_ID: s.user.accessKeyId, AWS_SECRET_ACCESS_KEY: s.user.secretAccessKey });
    assert.equal(added.code, 0, added.stderr);
  });
  after(() => s.close());

  const rows: Array<{ args: string[]; calls: string[]; mfa: number; cached: string[]; arn: RegExp }> = [
    { args: ['jonsmith', '--no-session'], calls: [], mfa: 0, cached: [], arn: /^AKIA/ },
    { args: ['jonsmith'], calls: ['GetSessionToken'], mfa: 1, cached: ['sts.GetSessionToken'], arn: /^ASIA/ },
    { args: ['foo-readonly'], calls: ['AssumeRole'], mfa: 0, cached: [], arn: /^ASIA/ },
    { args: ['foo-admin'], calls: ['GetSessionToken', 'AssumeRole'], mfa: 1, cached: ['sts.GetSessionToken'], arn: /^ASIA/ },
    { args: ['foo-admin', '--duration=2h'], calls: ['AssumeRole'], mfa: 1, cached: ['sts.AssumeRole'], arn: /^ASIA/ },
    { args: ['bar-role2'], calls: ['GetSessionToken', 'AssumeRole', 'AssumeRole'], mfa: 1, cached: ['sts.GetSessionToken'], arn: /^ASIA/ },
    { args: ['bar-role2', '--no-session'], calls: ['AssumeRole', 'AssumeRole'], mfa: 1, cached: ['sts.AssumeRole'], arn: /^ASIA/ },
  ];

  for (const row of rows) {
    it(`vault exec ${row.args.join(' ')}: ${row.calls.join(' → ') || 'long-term keys'}, ${row.mfa} MFA code, caches ${row.cached.join(', ') || 'nothing'}`, async () => {
      const cleared = await s.vault(['clear']);
      assert.equal(cleared.code, 0, cleared.stderr);
      s.emulator.state.reset();
      s.emulator.state.advanceClock(TOTP_PERIOD_MS); // a fresh one-time code for this row
      const r = await s.vault(['exec', '--mfa-token', device.code(), ...row.args, '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, row.arn);
      const sts = s.emulator.state.requests.filter((q) => q.service === 'sts');
      assert.deepEqual(sts.map((q) => q.action), row.calls);
      assert.ok(sts.every((q) => q.status === 200), JSON.stringify(sts.map((q) => q.errorCode)));
      assert.equal(sts.filter((q) => q.params['SerialNumber'] !== undefined).length, row.mfa);
      const sessions = await s.vault(['list', '--sessions']);
      assert.deepEqual(sessions.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0]), row.cached);
      if (row.args.includes('--duration=2h')) assert.equal(sts[0]?.params['DurationSeconds'], '7200');
      if (row.args[0] === 'bar-role2' && row.calls.length === 3) assert.equal(sts.at(-1)?.params['DurationSeconds'], '3600');
    });
  }
});
