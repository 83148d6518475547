import assert from 'node:assert/strict';
import { test } from 'node:test';
import hook from './hooks/prompt.js';
import { nodeModuleArgv, ptyAvailable, runInPty, runWithoutTerminal } from '@awsvault/core/testing';
import type { PtyRun } from '@awsvault/core/testing';

const HOOK_URL = new URL('./hooks/prompt.js', import.meta.url).href;
const INDEX_URL = new URL('./index.js', import.meta.url).href;
const SERIAL = 'arn:aws:iam::123456789012:mfa/dev';
const MESSAGE = `Enter MFA code for ${SERIAL}: `;
const HINT = 'use --mfa-token, mfa_process, or another prompt (--prompt zenity|kdialog|osascript|ykman)';
const skipPty = ptyAvailable() ? false : 'needs python3 with the pty module (and not Windows)';

interface Report {
  available: boolean;
  answer?: string;
  error?: { code: unknown; message: string; hint: unknown };
}

/** Child program: loads the hook as the CLI would, asks once, reports as JSON on stdout (a pipe). */
const CHILD = `
import hook from ${JSON.stringify(HOOK_URL)};
const definition = await hook();
const ctx = { env: process.env, debug: () => {} };
const report = { available: await definition.isAvailable(ctx) };
try {
  report.answer = await definition.prompt(${JSON.stringify(SERIAL)}, ctx);
} catch (error) {
  report.error = { code: error.code, message: error.message, hint: error.hint };
}
process.stdout.write(JSON.stringify(report));
`;

async function promptInPty(keys: string): Promise<{ run: PtyRun; report: Report }> {
  const run = await runInPty(nodeModuleArgv(CHILD), [{ waitFor: MESSAGE, pauseMs: 50, send: keys }], 15_000);
  assert.equal(run.timedOut, false, `child did not finish; terminal: ${JSON.stringify(run.transcript)} stderr: ${run.stderr}`);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.ok(run.transcript.includes(MESSAGE), `prompt missing from terminal: ${JSON.stringify(run.transcript)}`);
  const report = JSON.parse(run.stdout) as Report;
  assert.equal(report.available, true);
  return { run, report };
}

test('the hook declares the interactive "terminal" prompt', async () => {
  const definition = await hook();
  assert.equal(definition.kind, 'prompt');
  assert.equal(definition.name, 'terminal');
  assert.equal(definition.interactive, true);
  assert.equal(typeof definition.isAvailable, 'function');
  const index = (await import(INDEX_URL)) as Record<string, unknown>;
  assert.equal(typeof index['terminalPrompt'], 'function');
});

test('asks on the terminal and returns the typed code, echoed', { skip: skipPty, timeout: 30_000 }, async () => {
  const { run, report } = await promptInPty(' 123456\r');
  assert.equal(report.answer, '123456');
  assert.ok(run.transcript.includes(`${MESSAGE} 123456`), 'the code is echoed after the prompt');
  assert.ok(!run.stdout.includes(MESSAGE), 'nothing is asked on stdout');
});

test('an empty code is refused with MFA_CODE_EMPTY', { skip: skipPty, timeout: 30_000 }, async () => {
  const { report } = await promptInPty('   \r');
  assert.equal(report.error?.code, 'MFA_CODE_EMPTY');
  assert.ok(report.error?.message.includes(SERIAL));
});

test('Ctrl-C gives PROMPT_CANCELLED naming the device', { skip: skipPty, timeout: 30_000 }, async () => {
  const { report } = await promptInPty('12\u0003');
  assert.equal(report.error?.code, 'PROMPT_CANCELLED');
  assert.ok(report.error?.message.includes(SERIAL));
});

test('without a terminal: unavailable, and NO_TERMINAL with the hint', { skip: process.platform === 'win32', timeout: 30_000 }, async () => {
  const result = await runWithoutTerminal(CHILD, 10_000);
  assert.equal(result.exitCode, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Report;
  assert.equal(report.available, false);
  assert.deepEqual(report.error, {
    code: 'NO_TERMINAL',
    message: `cannot ask for the MFA code of ${SERIAL}: no terminal`,
    hint: HINT,
  });
  assert.ok(result.elapsedMs < 5_000, `took ${result.elapsedMs} ms`);
});
