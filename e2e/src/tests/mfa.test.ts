import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { TOTP_PERIOD_MS } from '../emulator/state.js';
import type { CreatedMfaDevice } from '../emulator/state.js';
import { awsBin } from '../helpers/paths.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

describe('MFA through the whole CLI', () => {
  let s: Scenario;
  let device: CreatedMfaDevice;
  before(async () => {
    s = await startScenario();
    device = s.emulator.state.createMfaDevice(s.user.userName);
    const admin = s.emulator.state.createRole({ name: 'admin', trustedPrincipals: [s.user.arn], requireMfa: true, maxSessionDuration: 4 * 3600 }).arn;
    s.home.writeConfig(
      `[default]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[profile dev]\nmfa_serial = ${device.serialNumber}\n\n` +
        `[profile admin]\nsource_profile = dev\nrole_arn = ${admin}\nmfa_serial = ${device.serialNumber}\n`,
    );
  });
  beforeEach(() => {
    // A TOTP code is good once; step the emulator's clock so each test has a fresh one.
    s.emulator.state.advanceClock(TOTP_PERIOD_MS);
  });
  after(() => s.close());

  it('GetSessionToken with --mfa-token, then a role that requires MFA reuses that session without a second code', async () => {
    const r = await s.vault(['exec', '--mfa-token', device.code(), 'admin', '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url, '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).Arn, /:assumed-role\/admin\//);
    const gst = s.emulator.state.requests.filter((q) => q.action === 'GetSessionToken');
    assert.equal(gst.length, 1);
    assert.equal(gst[0]?.params['SerialNumber'], device.serialNumber);
    const assume = s.emulator.state.requests.filter((q) => q.action === 'AssumeRole');
    assert.equal(assume.at(-1)?.params['SerialNumber'], undefined, 'MFA already satisfied by the session');
  });

  it('--duration 2h assumes the role directly from the long-term keys with MFA, keeping its full duration', async () => {
    const r = await s.vault(['export', '--format=json', '--duration', '2h', '--mfa-token', device.code(), 'admin']);
    assert.equal(r.code, 0, r.stderr);
    const assume = s.emulator.state.requests.filter((q) => q.action === 'AssumeRole').at(-1);
    assert.equal(assume?.params['DurationSeconds'], '7200');
    assert.equal(assume?.params['SerialNumber'], device.serialNumber);
    const left = new Date(JSON.parse(r.stdout).Expiration).getTime() - s.emulator.state.now();
    assert.ok(left > 3600_000, `role session lasts ${left} ms`);
  });

  it('a wrong code is one line naming the profile and AWS error, and leaves the cache as it was', async () => {
    const before = await s.vault(['list', '--sessions']);
    const r = await s.vault(['export', '--mfa-token', '000000', 'dev'], { AWS_MIN_TTL: '100h' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vault: error: profile dev: sts:GetSessionToken failed: AccessDenied: MultiFactorAuthentication failed/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const afterList = await s.vault(['list', '--sessions']);
    assert.equal(afterList.stdout.split('\n').length, before.stdout.split('\n').length);
    assert.match(afterList.stdout, /^sts\.GetSessionToken:/m);
  });
});
