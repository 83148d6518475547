import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { TOTP_PERIOD_MS } from '../emulator/state.js';
import type { CreatedMfaDevice } from '../emulator/state.js';
import { repoRoot } from '../helpers/paths.js';
import type { RunResult } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { answerDialog, displayToolsMissing, startXvfb } from '@awsvault/core/testing';

const PROMPT_PLUGINS = ['osascript', 'zenity', 'kdialog', 'ykman'];

/**
 * Stand-ins for kdialog, osascript and ykman: CI has no KDE session, no macOS and no YubiKey. Each
 * is a /bin/sh script (builtins only, so PATH can hold nothing else) that appends its argument
 * count and arguments, NUL-terminated, to $FAKE_CALLS_DIR/<name>, then prints the code in
 * $FAKE_CODE_FILE, or exits with $FAKE_EXIT when that is set. zenity is the real one, under Xvfb.
 */
function writeFake(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  const script = [
    '#!/bin/sh',
    `# Fake ${name} for vault's e2e tests (no KDE, macOS or YubiKey in CI): records argv, answers a code.`,
    `printf '%s\\0' "$#" "$@" >> "$FAKE_CALLS_DIR/${name}"`,
    'if [ -n "$FAKE_EXIT" ]; then printf \'%s\\n\' "dialog closed" >&2; exit "$FAKE_EXIT"; fi',
    'IFS= read -r code < "$FAKE_CODE_FILE"',
    'printf \'%s\\n\' "$code"',
    '',
  ].join('\n');
  writeFileSync(join(dir, name), script);
  chmodSync(join(dir, name), 0o755);
}

function oneLineError(r: RunResult): string {
  assert.equal(r.code, 1, `expected a failure\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  return lines[0] as string;
}

const appleScriptMessage = (serial: string) =>
  `display dialog "Enter MFA code for ${serial.replace(/[\\"]/g, (c) => `\\${c}`)}: " default answer "" buttons {"OK", "Cancel"} default button 1\n` +
  'text returned of the result\nreturn result';

describe('MFA prompt plugins through the whole CLI', { timeout: 120_000 }, () => {
  let s: Scenario;
  let device: CreatedMfaDevice;
  let fakes: string;
  let onlyYkman: string;
  let nothing: string;
  let callsDir: string;
  let codeFile: string;
  let code: string;

  before(async () => {
    s = await startScenario();
    device = s.emulator.state.createMfaDevice(s.user.userName);
    const admin = s.emulator.state.createRole({ name: 'admin', trustedPrincipals: [s.user.arn], requireMfa: true }).arn;
    const home = s.home.dir;
    s.home.writeConfig(
      `[default]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[profile dev]\nmfa_serial = ${device.serialNumber}\n\n` +
        `[profile admin]\nsource_profile = dev\nrole_arn = ${admin}\nmfa_serial = ${device.serialNumber}\n\n` +
        `[profile odd]\nsource_profile = dev\nrole_arn = ${admin}\nmfa_serial = arn:aws:iam::123456789012:mfa/"$(touch ${home}/pwned)"'\`touch ${home}/pwned\`'\n`,
    );
    fakes = join(home, 'fakes');
    onlyYkman = join(home, 'only-ykman');
    nothing = join(home, 'no-prompts');
    callsDir = join(home, 'calls');
    codeFile = join(home, 'code');
    for (const name of ['kdialog', 'osascript', 'ykman']) writeFake(fakes, name);
    writeFake(onlyYkman, 'ykman');
    mkdirSync(nothing);
    mkdirSync(callsDir);
    Object.assign(s.home.env, { FAKE_CALLS_DIR: callsDir, FAKE_CODE_FILE: codeFile, OCLIF_DISABLE_LINKED_ESM_WARNING: '1' });

    // The CLI bundles these plugins; until it does, link them into this HOME as a user would.
    const cli = JSON.parse(readFileSync(join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8')) as { oclif?: { plugins?: string[] } };
    for (const name of PROMPT_PLUGINS) {
      if (cli.oclif?.plugins?.includes(`@awsvault/plugin-prompt-${name}`)) continue;
      const linked = await s.vault(['plugins', 'link', '--no-install', join(repoRoot, 'plugins', `prompt-${name}`)]);
      assert.equal(linked.code, 0, linked.stderr);
    }
  });
  beforeEach(async () => {
    // No cached session, and a fresh single-use TOTP code where the fakes read it.
    assert.equal((await s.vault(['clear'])).code, 0);
    s.emulator.state.advanceClock(TOTP_PERIOD_MS);
    code = device.code();
    writeFileSync(codeFile, code);
  });
  after(() => s?.close());

  /** Argument vectors the fake `name` was called with, oldest first. */
  const calls = (name: string): string[][] => {
    const file = join(callsDir, name);
    if (!existsSync(file)) return [];
    const fields = readFileSync(file, 'utf8').split('\0');
    const out: string[][] = [];
    for (let i = 0; i + 1 < fields.length; ) {
      const count = Number(fields[i]);
      out.push(fields.slice(i + 1, i + 1 + count));
      i += 1 + count;
    }
    return out;
  };
  const lastCall = (name: string) => calls(name).at(-1);

  /** `vault export` of the MFA-protected role, AssumeRole straight from the stored keys. */
  const exportAdmin = (env: Record<string, string>, extraArgs: string[] = []) =>
    s.vault(['export', '--format=json', '--no-session', ...extraArgs, 'admin'], env);

  const assertRoleAssumedWithMfa = (r: RunResult) => {
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).SessionToken);
    const assume = s.emulator.state.requests.filter((q) => q.action === 'AssumeRole').at(-1);
    assert.equal(assume?.params['SerialNumber'], device.serialNumber);
  };

  const message = () => `Enter MFA code for ${device.serialNumber}: `;

  it('--prompt kdialog: kdialog --inputbox <message> --title aws-vault', async () => {
    const r = await exportAdmin({ PATH: fakes }, ['--prompt', 'kdialog']);
    assertRoleAssumedWithMfa(r);
    assert.deepEqual(lastCall('kdialog'), ['--inputbox', message(), '--title', 'aws-vault']);
  });

  it('--prompt osascript: osascript -e with aws-vault\'s AppleScript', async () => {
    const r = await exportAdmin({ PATH: fakes }, ['--prompt', 'osascript']);
    assertRoleAssumedWithMfa(r);
    assert.deepEqual(lastCall('osascript'), ['-e', appleScriptMessage(device.serialNumber)]);
  });

  it('--prompt ykman: --device, the OATH account name and the ykman 1-3 syntax come from the environment', async () => {
    const r = await exportAdmin(
      { PATH: fakes, YKMAN_OATH_CREDENTIAL_NAME: 'Amazon Web Services:alice@123456789012', YKMAN_OATH_DEVICE_SERIAL: '12345678', AWS_VAULT_YKMAN_VERSION: '2' },
      ['--prompt', 'ykman'],
    );
    assertRoleAssumedWithMfa(r);
    assert.deepEqual(lastCall('ykman'), ['--device', '12345678', 'oath', 'code', '--single', 'Amazon Web Services:alice@123456789012']);
  });

  it('without --prompt and with stdout not a terminal, the first available dialog in alphabetical order is used (kdialog)', async () => {
    const before = calls('ykman').length;
    const r = await exportAdmin({ PATH: fakes, DISPLAY: ':99' }, ['--debug']);
    assertRoleAssumedWithMfa(r);
    assert.match(r.stderr, /using prompt driver kdialog/);
    assert.deepEqual(lastCall('kdialog'), ['--inputbox', message(), '--title', 'aws-vault']);
    assert.equal(calls('ykman').length, before, 'ykman comes after kdialog');
  });

  it('with only ykman on PATH, auto-selection uses it with the ykman 4+ syntax and the serial as account name', async () => {
    const r = await exportAdmin({ PATH: onlyYkman });
    assertRoleAssumedWithMfa(r);
    assert.deepEqual(lastCall('ykman'), ['oath', 'accounts', 'code', '--single', device.serialNumber]);
  });

  it('with no dialog on PATH and no terminal, the terminal prompt says so in one line with a hint', async () => {
    const line = oneLineError(await exportAdmin({ PATH: nothing }));
    assert.equal(line, 'vault: error: profile admin needs an MFA code and no terminal is available (run `vault exec admin` in a terminal, or use --mfa-token, mfa_process or a GUI prompt (--prompt zenity))');
  });

  it('a cancelled dialog is a one-line PROMPT_CANCELLED error naming the device', async () => {
    const line = oneLineError(await exportAdmin({ PATH: fakes, FAKE_EXIT: '1' }, ['--prompt', 'kdialog']));
    assert.equal(line, `vault: error: MFA code entry for ${device.serialNumber} was cancelled in kdialog (dialog closed)`);
  });

  it('an mfa_serial with quotes, $(...) and backticks reaches the dialog verbatim, never a shell', async () => {
    const serial = `arn:aws:iam::123456789012:mfa/"$(touch ${s.home.dir}/pwned)"'\`touch ${s.home.dir}/pwned\`'`;
    // STS refuses this device, so the command fails after asking; what matters is what was asked.
    await s.vault(['export', '--no-session', '--prompt', 'kdialog', 'odd'], { PATH: fakes });
    assert.deepEqual(lastCall('kdialog'), ['--inputbox', `Enter MFA code for ${serial}: `, '--title', 'aws-vault']);
    await s.vault(['export', '--no-session', '--prompt', 'ykman', 'odd'], { PATH: fakes });
    assert.deepEqual(lastCall('ykman'), ['oath', 'accounts', 'code', '--single', serial]);
    await s.vault(['export', '--no-session', '--prompt', 'osascript', 'odd'], { PATH: fakes });
    assert.deepEqual(lastCall('osascript'), ['-e', appleScriptMessage(serial)]);
    assert.equal(existsSync(join(s.home.dir, 'pwned')), false);
  });

  const skipX = displayToolsMissing('/usr/bin/zenity');

  it('--prompt zenity: the real zenity dialog under Xvfb, answered with xdotool', { skip: skipX }, async () => {
    const x = await startXvfb();
    try {
      const pending = exportAdmin({ PATH: '/usr/bin:/bin', DISPLAY: x.display, NO_AT_BRIDGE: '1' }, ['--prompt', 'zenity']);
      await answerDialog(x.display, 'aws-vault', code);
      assertRoleAssumedWithMfa(await pending);
    } finally {
      await x.close();
    }
  });

  it('--prompt zenity, Escape pressed: PROMPT_CANCELLED in one line', { skip: skipX }, async () => {
    const x = await startXvfb();
    try {
      const pending = exportAdmin({ PATH: '/usr/bin:/bin', DISPLAY: x.display, NO_AT_BRIDGE: '1' }, ['--prompt', 'zenity']);
      await answerDialog(x.display, 'aws-vault', '', 'Escape');
      const line = oneLineError(await pending);
      assert.match(line, new RegExp(`^vault: error: MFA code entry for ${device.serialNumber} was cancelled in zenity`));
    } finally {
      await x.close();
    }
  });
});

