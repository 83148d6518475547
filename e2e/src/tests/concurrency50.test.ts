import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OidcTokenStore } from '@awsvault/core';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { TOTP_PERIOD_MS, type CreatedMfaDevice } from '../emulator/state.js';
import type { RunResult } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { fileStoreOf, inspectFileStore } from '../helpers/storeCheck.js';
import { tempHome, type TempHome } from '../helpers/tempHome.js';
import { startWatchedVault } from '../helpers/watchedVault.js';

// Fifty vault processes at once, as a build with many `aws` calls (credential_process) starts them.
// On a two-core machine that is a queue of node start-ups: timeouts are generous, counts are exact.

const N = 50;
const RUN_TIMEOUT_MS = 120_000;
const HALF_HOUR_MS = 30 * 60 * 1000;

const lineCount = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length;

function assertAllSucceeded(results: RunResult[]): void {
  const failed = results.filter((r) => r.code !== 0);
  assert.equal(failed.length, 0, `${failed.length} of ${results.length} failed; first: ${failed[0]?.stderr}`);
}

describe(`${N} parallel processes with MFA (mfa_process counts the codes asked)`, { timeout: 180_000 }, () => {
  let s: Scenario;
  let device: CreatedMfaDevice;
  let codeFile: string;
  let countFile: string;
  let env: Record<string, string>;
  before(async () => {
    s = await startScenario();
    device = s.emulator.state.createMfaDevice(s.user.userName);
    codeFile = join(s.home.dir, 'mfa-code');
    countFile = join(s.home.dir, 'mfa-count');
    const runtimeDir = join(s.home.dir, 'run');
    mkdirSync(runtimeDir, { mode: 0o700 });
    env = { ...s.home.env, XDG_RUNTIME_DIR: runtimeDir };
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\nmfa_serial = ${device.serialNumber}\n` +
        `mfa_process = echo asked >> '${countFile}'; cat '${codeFile}'\n`,
    );
  });
  after(() => s.close());

  const parallel = (args: string[], extraEnv: Record<string, string> = {}) => Promise.all(Array.from({ length: N }, () => s.vault(args, { ...env, ...extraEnv })));

  it(`${N} × vault exec dev -- true with no session: one GetSessionToken call, one MFA code, no corrupt item`, async () => {
    // Issued half an hour in the past (emulator clock), the session expires in 30 minutes: the next test finds it too short.
    s.emulator.state.advanceClock(-HALF_HOUR_MS);
    writeFileSync(codeFile, device.code());
    writeFileSync(countFile, '');
    const t0 = performance.now();
    const results = await parallel(['exec', 'dev', '--', 'true']);
    const wall = performance.now() - t0;
    assertAllSucceeded(results);
    const stsCalls = s.emulator.state.calls('sts:GetSessionToken');
    const codes = lineCount(countFile);
    const store = await inspectFileStore(env, s.home.dir);
    console.log(`figure concurrency exec-no-session processes=${N} sts-calls-per-50=${stsCalls} mfa-codes-per-50=${codes} corrupt-items=${store.broken.length} wall-ms=${Math.round(wall)}`);
    assert.equal(stsCalls, 1);
    assert.equal(codes, 1);
    assert.deepEqual(store.broken, []);
    assert.equal(store.sessions.length, 1);
  });

  it(`${N} × vault export on an expired session (AWS_MIN_TTL beyond what is left): one refresh, one MFA code, no corrupt item`, async () => {
    s.emulator.state.advanceClock(HALF_HOUR_MS + TOTP_PERIOD_MS);
    writeFileSync(codeFile, device.code());
    writeFileSync(countFile, '');
    const before = s.emulator.state.calls('sts:GetSessionToken');
    const stale = (await inspectFileStore(env, s.home.dir)).sessions;
    const t0 = performance.now();
    // The cached session has 30 minutes left, under the 45-minute minimum; a new one has an hour.
    const results = await parallel(['export', '--format=json', 'dev'], { AWS_MIN_TTL: '45m' });
    const wall = performance.now() - t0;
    assertAllSucceeded(results);
    const stsCalls = s.emulator.state.calls('sts:GetSessionToken') - before;
    const codes = lineCount(countFile);
    const keys = new Set(results.map((r) => (JSON.parse(r.stdout) as { AccessKeyId: string }).AccessKeyId));
    const store = await inspectFileStore(env, s.home.dir);
    console.log(`figure concurrency export-expired-session processes=${N} sts-calls-per-50=${stsCalls} mfa-codes-per-50=${codes} distinct-sessions=${keys.size} corrupt-items=${store.broken.length} wall-ms=${Math.round(wall)}`);
    assert.equal(stsCalls, 1);
    assert.equal(codes, 1);
    assert.equal(keys.size, 1, 'every process got the one new session');
    assert.deepEqual(store.broken, []);
    assert.equal(store.sessions.length, 1);
    assert.notDeepEqual(store.sessions, stale, 'the expired session was replaced');
    assert.equal(s.emulator.state.accessKeyState([...keys][0] as string), 'active');
  });
});

describe(`${N} parallel exports on an expired SSO token`, { timeout: 180_000 }, () => {
  const START = 'https://emulated.awsapps.com/start';
  const ACCOUNT = '111122223333';
  const CODE = /Confirmation code: ([A-Z]{4}-[A-Z]{4})/;
  let emulator: Emulator;
  let home: TempHome;
  let env: Record<string, string>;
  before(async () => {
    emulator = await startEmulator();
    emulator.sso.assign({ roleName: 'Admin', accountId: ACCOUNT });
    home = tempHome();
    const runtimeDir = join(home.dir, 'run');
    mkdirSync(runtimeDir, { mode: 0o700 });
    // No sso_registration_scopes: a legacy client, whose tokens cannot be refreshed, so an expired token means a sign-in.
    home.writeConfig(
      `[sso-session corp]\nsso_start_url = ${START}\nsso_region = eu-west-1\n\n` +
        `[profile sso]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = Admin\nregion = us-east-1\nendpoint_url = ${emulator.url}\n`,
    );
    env = { ...home.env, AWS_VAULT_STDOUT: '1', XDG_RUNTIME_DIR: runtimeDir };
    const store = new OidcTokenStore(await fileStoreOf(env, home.dir));
    await store.set(START, { accessToken: 'expired-e2e-token', expiresAt: new Date(Date.now() - 3_600_000) });
  });
  after(async () => {
    await emulator.close();
    home.cleanup();
  });

  it('one sign-in: one process shows a code, the others wait for it and use the new token', async () => {
    const t0 = performance.now();
    const runs = Array.from({ length: N }, () => startWatchedVault(['export', '--format=json', 'sso'], env, RUN_TIMEOUT_MS));
    const codes = new Set<string>();
    for (const running of runs) {
      void running.waitFor(CODE).then(async ([, code]) => {
        if (codes.has(code as string)) return;
        codes.add(code as string);
        const response = await fetch(`${emulator.url}/_emulator/sso/approve?user_code=${code}`, { method: 'POST' });
        assert.equal(response.status, 200);
      }, () => {});
    }
    const results = await Promise.all(runs.map((r) => r.done));
    const wall = performance.now() - t0;
    assertAllSucceeded(results);
    const s = emulator.state;
    const logins = s.calls('StartDeviceAuthorization');
    const shown = results.filter((r) => CODE.test(r.stderr)).length;
    const store = await inspectFileStore(env, home.dir);
    console.log(
      `figure concurrency sso-expired-token processes=${N} logins-per-50=${logins} codes-shown=${shown} register-client=${s.calls('RegisterClient')} ` +
        `get-role-credentials-per-50=${s.calls('GetRoleCredentials')} corrupt-items=${store.broken.length} wall-ms=${Math.round(wall)}`,
    );
    assert.equal(logins, 1);
    assert.equal(shown, 1, 'one process asked the person');
    assert.equal(codes.size, 1);
    assert.equal(s.calls('RegisterClient'), 1);
    assert.deepEqual(store.broken, []);
    const token = await new OidcTokenStore(await fileStoreOf(env, home.dir)).get(START);
    assert.ok(token && token.accessToken !== 'expired-e2e-token' && token.expiresAt.getTime() > Date.now(), 'the new token is stored');
    assert.equal(new Set(results.map((r) => (JSON.parse(r.stdout) as { AccessKeyId: string }).AccessKeyId)).size, 1, 'one role session for all');
  });
});
