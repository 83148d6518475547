import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runInPty, ptyAvailable } from '@awsvault/core/testing';
import { TOTP_PERIOD_MS, type CreatedMfaDevice } from '../emulator/state.js';
import { startNotificationServer, type NotificationServer } from '../helpers/notificationServer.js';
import { awsBin, vaultBin } from '../helpers/paths.js';
import { run, shellQuote, type RunResult } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

// vault where nobody can answer: started with setsid (no controlling terminal, so /dev/tty cannot
// be opened), stdin closed, no desktop (DISPLAY unset). A step that needs the person fails at once
// with one line, and a real notify-send tells a notification server on a private bus.

const START = 'https://emulated.awsapps.com/start';
const ACCOUNT = '111122223333';
const MFA_LINE = 'vault: error: profile dev needs an MFA code and no terminal is available (run `vault exec dev` in a terminal, or use --mfa-token, mfa_process or a GUI prompt (--prompt zenity))';
const SSO_LINE = 'vault: error: profile sso-dev needs an SSO login and no terminal is available (run `vault login sso-dev` in a terminal)';
/** Well under what a person would wait: the device flow alone would poll for minutes. */
const FAST_MS = 5_000;

/** Runs argv in a new session (setsid) with stdin closed, not merely /dev/null; returns the result and how long it took. */
async function detachedNoStdin(argv: string[], env: Record<string, string>): Promise<RunResult & { ms: number }> {
  const started = Date.now();
  const r = await run('/usr/bin/setsid', ['--wait', '/bin/sh', '-c', 'exec "$@" 0<&-', 'sh', ...argv], env, 30_000);
  return { ...r, ms: Date.now() - started };
}

describe('no terminal: an MFA code or an SSO sign-in fails fast, with a desktop notification', () => {
  let s: Scenario;
  let device: CreatedMfaDevice;
  let notifications: NotificationServer;
  let env: Record<string, string>;
  const emptyPath = () => join(s.home.dir, 'empty-path');

  before(async () => {
    s = await startScenario();
    device = s.emulator.state.createMfaDevice(s.user.userName);
    s.emulator.sso.assign({ roleName: 'Admin', accountId: ACCOUNT });
    const common = `region = us-east-1\nendpoint_url = ${s.emulator.url}\n`;
    s.home.writeConfig(
      `[profile dev]\n${common}mfa_serial = ${device.serialNumber}\n\n` +
        `[profile via-aws]\nregion = us-east-1\ncredential_process = ${shellQuote([process.execPath, vaultBin, 'export', '--format=json', 'dev'])}\n\n` +
        `[sso-session corp]\nsso_start_url = ${START}\nsso_region = eu-west-1\n\n` +
        `[profile sso-dev]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = Admin\n${common}\n` +
        `[profile via-aws-sso]\nregion = us-east-1\ncredential_process = ${shellQuote([process.execPath, vaultBin, 'export', '--format=json', 'sso-dev'])}\n`,
    );
    mkdirSync(emptyPath());
    // PATH holds notify-send and nothing else: an installed zenity would otherwise be picked (and
    // fail at once for want of a display) before the terminal prompt.
    const bin = join(s.home.dir, 'bin');
    mkdirSync(bin);
    if (existsSync('/usr/bin/notify-send')) symlinkSync('/usr/bin/notify-send', join(bin, 'notify-send'));
    notifications = await startNotificationServer();
    env = { ...s.home.env, PATH: bin, DBUS_SESSION_BUS_ADDRESS: notifications.address };
    delete env['DISPLAY'];
    delete env['WAYLAND_DISPLAY'];
    delete env['VAULT_NON_INTERACTIVE'];
  });
  after(async () => {
    await notifications?.stop();
    await s?.close();
  });

  const notified = async (count: number) => {
    // notify-send has returned before vault exits; the server's handler may still be one tick behind
    for (let i = 0; i < 50 && notifications.received.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    return notifications.received.at(-1);
  };

  it('vault export of an MFA profile: the one line, exit 1, fast, and notify-send reaches the notification server', { skip: !existsSync('/usr/bin/notify-send') && 'needs notify-send (Debian libnotify-bin)' }, async () => {
    const before = notifications.received.length;
    const r = await detachedNoStdin([process.execPath, vaultBin, 'export', 'dev'], env);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${MFA_LINE}\n`);
    assert.ok(r.ms < FAST_MS, `took ${r.ms} ms`);
    assert.equal(s.emulator.state.calls('GetSessionToken'), 0, 'nothing was asked of STS');
    const shown = await notified(before + 1);
    assert.equal(notifications.received.length, before + 1);
    assert.deepEqual(shown, {
      appName: 'vault',
      summary: 'vault: profile dev needs an MFA code',
      body: 'No terminal is available to ask on: run `vault exec dev` in a terminal, or use --mfa-token, mfa_process or a GUI prompt (--prompt zenity).',
    });
  });

  it('/usr/bin/aws with vault as credential_process of an MFA profile fails fast with the line', async () => {
    const r = await detachedNoStdin([awsBin, 'sts', 'get-caller-identity', '--profile', 'via-aws', '--endpoint-url', s.emulator.url], env);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(MFA_LINE), r.stderr);
    assert.ok(r.ms < FAST_MS + 2_000, `took ${r.ms} ms`);
  });

  it('an SSO profile without a token: the one line, exit 1, fast, no sign-in started, and a notification', async () => {
    const before = notifications.received.length;
    const r = await detachedNoStdin([process.execPath, vaultBin, 'export', 'sso-dev'], env);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `${SSO_LINE}\n`);
    assert.ok(r.ms < FAST_MS, `took ${r.ms} ms`);
    assert.equal(s.emulator.state.calls('StartDeviceAuthorization'), 0);
    assert.equal(s.emulator.state.calls('RegisterClient'), 0);
    if (existsSync('/usr/bin/notify-send')) {
      const shown = await notified(before + 1);
      assert.equal(shown?.summary, 'vault: profile sso-dev needs an SSO login');
      assert.match(shown?.body ?? '', /run `vault login sso-dev` in a terminal/);
    }
    const viaAws = await detachedNoStdin([awsBin, 'sts', 'get-caller-identity', '--profile', 'via-aws-sso', '--endpoint-url', s.emulator.url], env);
    assert.notEqual(viaAws.code, 0);
    assert.ok(viaAws.stderr.includes(SSO_LINE), viaAws.stderr);
    assert.ok(viaAws.ms < FAST_MS + 2_000, `took ${viaAws.ms} ms`);
  });

  it('without notify-send on PATH the failure is just as fast, and nothing is notified', async () => {
    const before = notifications.received.length;
    for (const [profile, line] of [['dev', MFA_LINE], ['sso-dev', SSO_LINE]] as const) {
      const r = await detachedNoStdin([process.execPath, vaultBin, 'export', profile], { ...env, PATH: emptyPath() });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `${line}\n`);
      assert.ok(r.ms < FAST_MS, `took ${r.ms} ms`);
    }
    assert.equal(notifications.received.length, before);
  });

  it('VAULT_NON_INTERACTIVE=1 refuses even with --stdout (the URL would be printed for nobody)', async () => {
    const r = await detachedNoStdin([process.execPath, vaultBin, 'export', 'sso-dev'], { ...env, PATH: emptyPath(), VAULT_NON_INTERACTIVE: '1', AWS_VAULT_STDOUT: '1' });
    assert.equal(r.stderr, `${SSO_LINE}\n`);
    assert.equal(r.code, 1);
  });

  it('with a terminal but stdin closed, the terminal prompt asks on /dev/tty and the code works', { skip: !ptyAvailable() && 'needs python3 with the pty module' }, async () => {
    s.emulator.state.advanceClock(TOTP_PERIOD_MS);
    const vars = Object.entries({ ...env, PATH: emptyPath() }).map(([k, v]) => `${k}=${v}`);
    const argv = ['/usr/bin/env', '-i', ...vars, '/bin/sh', '-c', 'exec "$@" 0<&-', 'sh', process.execPath, vaultBin, 'export', '--format=json', '--prompt', 'terminal', 'dev'];
    const prompt = `Enter MFA code for ${device.serialNumber}: `;
    const r = await runInPty(argv, [{ waitFor: prompt, pauseMs: 50, send: `${device.code()}\r` }], 30_000);
    assert.equal(r.timedOut, false, `terminal: ${JSON.stringify(r.transcript)} stderr: ${r.stderr}`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).AccessKeyId, /^ASIA/);
    assert.equal(s.emulator.state.calls('GetSessionToken'), 1);
  });
});
