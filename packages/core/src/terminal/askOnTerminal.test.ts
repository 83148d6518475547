import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { askOnTerminal, hasTerminal } from './askOnTerminal.js';
import { nodeModuleArgv, ptyAvailable, runInPty, runWithoutTerminal } from '../testing/runInPty.js';
import type { PtyRun, PtyStep } from '../testing/runInPty.js';

const MODULE_URL = new URL('./askOnTerminal.js', import.meta.url).href;
const MESSAGE = 'Enter MFA code for arn:aws:iam::123456789012:mfa/dev: ';
const QUESTION = 'Enter MFA code for arn:aws:iam::123456789012:mfa/dev';
const skipPty = ptyAvailable() ? false : 'needs python3 with the pty module (and not Windows)';

interface Report {
  stdoutIsTTY: boolean;
  stdinIsTTY: boolean;
  hasTerminal: boolean;
  modeBefore?: string;
  modeAfter?: string;
  answer?: string;
  error?: { code: unknown; message: string; hint: unknown };
}

/** Child program: asks once, reports as JSON on stdout (a pipe), then lets the event loop drain. */
function childSource(options: { secret?: boolean }): string {
  return `
import { askOnTerminal, hasTerminal } from ${JSON.stringify(MODULE_URL)};
import { execFileSync } from 'node:child_process';
import tty from 'node:tty';
const sttyMode = () => {
  try { return execFileSync('sh', ['-c', 'stty -g < /dev/tty'], { encoding: 'utf8' }).trim(); }
  catch { return undefined; }
};
const report = { stdoutIsTTY: tty.isatty(1), stdinIsTTY: tty.isatty(0), hasTerminal: hasTerminal() };
report.modeBefore = sttyMode();
try {
  report.answer = await askOnTerminal(${JSON.stringify(MESSAGE)}, ${JSON.stringify(options)});
} catch (error) {
  report.error = { code: error.code, message: error.message, hint: error.hint };
}
report.modeAfter = sttyMode();
process.stdout.write(JSON.stringify(report));
`;
}

async function askInPty(options: { secret?: boolean }, keys: string): Promise<{ run: PtyRun; report: Report }> {
  const steps: PtyStep[] = [{ waitFor: MESSAGE, pauseMs: 50, send: keys }];
  const run = await runInPty(nodeModuleArgv(childSource(options)), steps, 15_000);
  assert.equal(run.timedOut, false, `child did not finish; terminal: ${JSON.stringify(run.transcript)} stderr: ${run.stderr}`);
  assert.equal(run.exitCode, 0, `child failed: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as Report;
  // the question went to the terminal while the child's stdout was a pipe and stdin /dev/null
  assert.equal(report.stdoutIsTTY, false);
  assert.equal(report.stdinIsTTY, false);
  assert.equal(report.hasTerminal, true);
  assert.ok(run.transcript.includes(MESSAGE), `message missing from terminal: ${JSON.stringify(run.transcript)}`);
  assert.ok(!run.stdout.includes(MESSAGE), 'the question must not go to stdout');
  // the terminal mode is back to what it was, whatever the outcome
  assert.ok(report.modeBefore, 'stty -g should work inside the pty');
  assert.equal(report.modeAfter, report.modeBefore);
  return { run, report };
}

test('echoed answer is read from the terminal and trimmed', { skip: skipPty, timeout: 30_000 }, async () => {
  const { run, report } = await askInPty({}, '  123456 \r');
  assert.equal(report.answer, '123456');
  assert.ok(run.transcript.includes('123456'), 'an echoed answer is visible on the terminal');
});

test('secret answer is not echoed, and a newline follows it', { skip: skipPty, timeout: 30_000 }, async () => {
  const { run, report } = await askInPty({ secret: true }, 's3cr3t-Value\r');
  assert.equal(report.answer, 's3cr3t-Value');
  assert.ok(!run.transcript.includes('s3cr3t'), `secret leaked to the terminal: ${JSON.stringify(run.transcript)}`);
  const after = run.transcript.slice(run.transcript.indexOf(MESSAGE) + MESSAGE.length);
  assert.match(after, /^\r*\n$/, 'only a newline follows the hidden answer');
});

test('backspace and Ctrl-U edit the line; escape sequences are ignored', { skip: skipPty, timeout: 30_000 }, async () => {
  const echoed = await askInPty({}, 'abx\u007fc\r');
  assert.equal(echoed.report.answer, 'abc');
  assert.ok(echoed.run.transcript.includes('\b \b'), 'backspace is erased on screen');

  const hidden = await askInPty({ secret: true }, 'wrong\u0015pa\u007f\u007fpw\u001b[Dd\r');
  assert.equal(hidden.report.answer, 'pwd');
});

test('Ctrl-C cancels with PROMPT_CANCELLED', { skip: skipPty, timeout: 30_000 }, async () => {
  for (const secret of [true, false]) {
    const { report } = await askInPty({ secret }, '12\u0003');
    assert.equal(report.answer, undefined);
    assert.equal(report.error?.code, 'PROMPT_CANCELLED');
    assert.equal(report.error?.message, `prompt cancelled: ${QUESTION}`);
  }
});

test('Ctrl-D cancels with PROMPT_CANCELLED', { skip: skipPty, timeout: 30_000 }, async () => {
  const { report } = await askInPty({ secret: true }, '\u0004');
  assert.equal(report.error?.code, 'PROMPT_CANCELLED');
});

test('a terminal that hangs up while asking cancels, and the process still exits', { skip: skipPty, timeout: 30_000 }, async () => {
  // the child is the session leader here, so it gets SIGHUP; it ignores it to reach the read error path
  const source = `process.on('SIGHUP', () => {});\n${childSource({ secret: true })}`;
  const steps: PtyStep[] = [{ waitFor: MESSAGE, pauseMs: 50, send: 'par' }, { pauseMs: 100, hangup: true }];
  const run = await runInPty(nodeModuleArgv(source), steps, 15_000);
  assert.equal(run.timedOut, false, `child did not finish: ${run.stderr}`);
  assert.equal(run.exitCode, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.equal(report.answer, undefined);
  assert.equal(report.error?.code, 'PROMPT_CANCELLED');
  assert.equal(report.error?.message, `terminal closed while asking: ${QUESTION}`);
});

test('without a controlling terminal: NO_TERMINAL, quickly', { skip: process.platform === 'win32', timeout: 30_000 }, async () => {
  // detached = setsid(): a new session with no controlling terminal, and no tty on any fd
  const result = await runWithoutTerminal(childSource({ secret: true }), 10_000);
  assert.equal(result.exitCode, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Report;
  assert.equal(report.hasTerminal, false);
  assert.equal(report.error?.code, 'NO_TERMINAL');
  assert.equal(report.error?.message, `no terminal to ask on: ${QUESTION}`);
  assert.ok(result.elapsedMs < 5_000, `took ${result.elapsedMs} ms`);
});

test('a ttyPath that is not a terminal, or missing, gives NO_TERMINAL and creates nothing', async () => {
  await assert.rejects(askOnTerminal('Password: ', { ttyPath: os.devNull, secret: true }), (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'NO_TERMINAL');
    assert.equal((error as Error).message, 'no terminal to ask on: Password');
    return true;
  });
  const missing = path.join(os.tmpdir(), `vault-no-such-tty-${process.pid}-${Date.now()}`);
  await assert.rejects(askOnTerminal('Name: ', { ttyPath: missing }), { code: 'NO_TERMINAL' });
  assert.equal(fs.existsSync(missing), false);
  assert.equal(hasTerminal({ ttyPath: os.devNull }), false);
  assert.equal(hasTerminal({ ttyPath: missing }), false);
});
