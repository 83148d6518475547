import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsBin, vaultBin } from '../helpers/paths.js';
import { assertOneLineError, runAws, shellQuote, type RunResult } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

// credential_process through the built CLI: the plugin runs a script, core caches what carries an
// Expiration, and /usr/bin/aws proves the keys work against the SigV4-checking emulator.

const SECRET_MARKER = 'wJalrXUtnFEMI-NOT-TO-BE-ECHOED';

/** `assertOneLineError`, and nothing the command printed on stdout is echoed. */
function assertOneLineErrorNoEcho(r: RunResult, pattern: RegExp): void {
  assertOneLineError(r, pattern);
  assert.ok(!r.stderr.includes(SECRET_MARKER), 'nothing the command printed on stdout is echoed');
}

describe('credential_process through the whole CLI', () => {
  let s: Scenario;
  let dir: string;
  let runs: string;
  const count = (name: string) => readFileSync(runs, 'utf8').split('\n').filter((line) => line === name).length;
  const identity = (profile: string, extraEnv: Record<string, string> = {}) =>
    s.vault(['exec', profile, '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url, '--output', 'json'], extraEnv);

  /** An executable script under `dir` that logs its name to `runs`, then runs `body`. */
  const script = (name: string, body: string, where = dir): string => {
    const file = join(where, name);
    writeFileSync(file, `#!/bin/sh\necho ${name} >> ${shellQuote([runs])}\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };

  before(async () => {
    s = await startScenario();
    dir = join(s.home.dir, 'bin');
    mkdirSync(dir);
    runs = join(s.home.dir, 'runs.log');
    writeFileSync(runs, '');

    // Temporary keys the emulator issued, as an SSO helper or a credential broker would print them
    // (the AWS CLI writes Expiration with a +00:00 offset).
    const gst = await runAws(['sts', 'get-session-token', '--duration-seconds', '3600'], { ...s.home.env, AWS_ACCESS_KEY_ID: s.user.accessKeyId, AWS_SECRET_ACCESS_KEY: s.user.secretAccessKey, AWS_REGION: 'us-east-1' }, s.emulator.url);
    assert.equal(gst.code, 0, gst.stderr);
    const session = (JSON.parse(gst.stdout) as { Credentials: Record<string, string> }).Credentials;
    const sessionJson = JSON.stringify({ Version: 1, ...session, Issuer: 'an extra field, ignored' });
    const longTermJson = JSON.stringify({ Version: 1, AccessKeyId: s.user.accessKeyId, SecretAccessKey: s.user.secretAccessKey });
    const quote = (text: string) => shellQuote([text]);

    const spaced = join(s.home.dir, 'dir with spaces');
    mkdirSync(spaced);
    const marker = join(s.home.dir, 'injected');
    const common = `region = us-east-1\nendpoint_url = ${s.emulator.url}\n`;
    s.home.writeConfig(
      `[profile dev]\n${common}\n` +
        `[profile cp]\n${common}credential_process = ${script('session', `printf '%s\\n' ${quote(sessionJson)}`)} --profile cp\n\n` +
        `[profile cp-longterm]\n${common}credential_process = ${script('longterm', `printf '%s' ${quote(longTermJson)}`)}\n\n` +
        `[profile cp-1176]\n${common}mfa_serial = arn:aws:iam::${s.user.accountId}:mfa/${s.user.userName}\ncredential_process = ${script('issue1176', `printf '%s' ${quote(longTermJson)}`)}\n\n` +
        `[profile cp-spaces]\n${common}credential_process = /usr/bin/env "${script('spaced creds', `printf '%s' ${quote(longTermJson)}`, spaced)}" "an arg"\n\n` +
        `[profile cp-leading-quote]\n${common}credential_process = "${join(spaced, 'spaced creds')}" --flag\n\n` +
        `[profile cp-inject]\n${common}credential_process = ${script('inject', `[ "$1" = '&&' ] || exit 9\nprintf '%s' ${quote(longTermJson)}`)} && touch ${marker} | touch ${marker} $(touch ${marker}) \`touch ${marker}\`\n\n` +
        `[profile cp-exit]\n${common}credential_process = ${script('exit3', `echo 'fetching credentials...' >&2\necho 'refresh token expired: run broker login' >&2\nexit 3`)}\n\n` +
        `[profile cp-notjson]\n${common}credential_process = ${script('notjson', `echo 'AWS_SECRET_ACCESS_KEY=${SECRET_MARKER}'`)}\n\n` +
        `[profile cp-version]\n${common}credential_process = ${script('version', `printf '%s' '{"Version":2,"AccessKeyId":"AKIA","SecretAccessKey":"${SECRET_MARKER}"}'`)}\n\n` +
        `[profile cp-missing]\n${common}credential_process = ${script('missing', `printf '%s' '{"Version":1,"accessKeyId":"AKIA","secretAccessKey":"${SECRET_MARKER}"}'`)}\n\n` +
        `[profile cp-hang]\n${common}credential_process = ${script('hang', 'exec sleep 30')}\n\n` +
        `[profile cp-notfound]\n${common}credential_process = ${join(dir, 'no-such-helper')} --x\n\n` +
        `[profile cp-syntax]\n${common}credential_process = ${join(dir, 'helper')} --name "unclosed\n\n` +
        `[profile cp-empty]\n${common}credential_process = ""\n\n` +
        `[profile via-aws]\nregion = us-east-1\ncredential_process = ${shellQuote([process.execPath, vaultBin, 'export', '--format=json', 'cp'])}\n`,
    );
  });
  after(() => s.close());

  it('hands temporary keys from the command to the child, and caches them until they expire', async () => {
    const first = await identity('cp');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).Arn, s.user.arn);
    assert.equal(count('session'), 1);

    const second = await identity('cp');
    assert.equal(second.code, 0, second.stderr);
    assert.equal(count('session'), 1, 'the cached session is used; the command is not run again');

    const exported = await s.vault(['export', '--format=json', 'cp']);
    assert.equal(exported.code, 0, exported.stderr);
    const json = JSON.parse(exported.stdout);
    assert.match(json.AccessKeyId, /^ASIA/);
    assert.ok(json.SessionToken && json.Expiration);
    const sessions = await s.vault(['list', '--sessions']);
    assert.match(sessions.stdout, /^credential_process:/m);
  });

  it('accepts long-term keys without SessionToken or Expiration, and does not cache them', async () => {
    for (let i = 1; i <= 2; i++) {
      const r = await identity('cp-longterm');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).Arn, s.user.arn);
      assert.equal(count('longterm'), i, 'run every time');
    }
    const env = await s.vault(['exec', 'cp-longterm', '--', 'sh', '-c', 'printf "%s|%s" "$AWS_ACCESS_KEY_ID" "${AWS_SESSION_TOKEN:-none}"']);
    assert.equal(env.stdout, `${s.user.accessKeyId}|none`);
  });

  it('aws-vault issue 1176: credential_process with mfa_serial uses the process and asks for no MFA code', async () => {
    const r = await identity('cp-1176', { AWS_VAULT_PROMPT: 'terminal' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, s.user.arn);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 1, 'only the test\'s own GetSessionToken: no MFA session was made');
  });

  it('runs a quoted program path with spaces, and config text never reaches a shell', async () => {
    const spaced = await identity('cp-spaces');
    assert.equal(spaced.code, 0, spaced.stderr);
    assert.equal(count('spaced creds'), 1);

    const injected = await identity('cp-inject');
    assert.equal(injected.code, 0, injected.stderr);
    assert.equal(existsSync(join(s.home.dir, 'injected')), false, '&&, |, $( ) and backquotes were passed as words');
  });

  it(
    'runs a program when the value starts with a quoted path',
    async () => {
      const r = await identity('cp-leading-quote');
      assert.equal(r.code, 0, r.stderr);
    },
  );

  it('works under /usr/bin/aws as credential_process = vault export --format=json', async () => {
    const r = await runAws(['sts', 'get-caller-identity', '--profile', 'via-aws'], s.home.env, s.emulator.url);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, s.user.arn);
  });

  it('a failing command: its stderr passes through, then one line with the exit code and its last stderr line', async () => {
    const r = await s.vault(['export', '--format=json', 'cp-exit']);
    assertOneLineErrorNoEcho(r, /^vault: error: profile cp-exit: credential_process exited with code 3: refresh token expired: run broker login$/);
    assert.match(r.stderr, /^fetching credentials\.\.\.\nrefresh token expired: run broker login\n/);
  });

  it('bad output is one line each, never quoting it: not JSON, a wrong Version, missing keys', async () => {
    assertOneLineErrorNoEcho(await s.vault(['export', 'cp-notjson']), /^vault: error: profile cp-notjson: credential_process printed output that is not valid JSON \(/);
    assertOneLineErrorNoEcho(await s.vault(['export', 'cp-version']), /^vault: error: profile cp-version: credential_process printed Version 2; only Version 1 is supported/);
    assertOneLineErrorNoEcho(
      await s.vault(['export', 'cp-missing']),
      /^vault: error: profile cp-missing: credential_process output lacks AccessKeyId and SecretAccessKey \(field names are case-sensitive; found accessKeyId, secretAccessKey\)$/,
    );
  });

  it('a command that hangs is stopped after AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT', async () => {
    const started = Date.now();
    const r = await s.vault(['export', 'cp-hang'], { AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT: '1s' });
    assertOneLineErrorNoEcho(r, /^vault: error: profile cp-hang: credential_process did not finish within 1s \(it was stopped; set AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT/);
    assert.ok(Date.now() - started < 15_000, 'did not wait for the command');
    assertOneLineErrorNoEcho(await s.vault(['export', 'cp-hang'], { AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT: 'soon' }), /^vault: error: environment variable AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT=soon is not a duration/);
  });

  it('a program that is not there, a line that cannot be split and an empty command are one line each', async () => {
    assertOneLineErrorNoEcho(await s.vault(['export', 'cp-notfound']), /^vault: error: profile cp-notfound: credential_process could not start \S+no-such-helper: no such file or directory, or not on PATH \(ENOENT\)/);
    assertOneLineErrorNoEcho(await s.vault(['export', 'cp-syntax']), /^vault: error: profile cp-syntax: credential_process has a " quote that is never closed/);
    // The ini reader turns `""` into an empty value, which counts as unset.
    assertOneLineErrorNoEcho(await s.vault(['export', 'cp-empty']), /^vault: error: profile cp-empty: no stored credentials and no source/);
  });
});
