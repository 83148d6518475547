import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeProgram, promptContext, rejectsWithVaultError, TEST_MFA_SERIAL as SERIAL } from '@awsvault/core/testing';
import hook from './hooks/prompt.js';
import { ykmanArgs, ykmanPrompt } from './index.js';
import { ptyMissing, runOnTerminal, runWithoutTerminal } from './terminal.test.util.js';

// `/dev/null` opens but is no terminal: the in-process tests run as if there were none, and never
// write to the terminal of whoever runs them.
const NO_TTY = { ttyPath: '/dev/null' };

// A fake ykman: CI has no YubiKey. The script records its argv and whether its stdin is a terminal.
const fake = fakeProgram('ykman', 'CI has no YubiKey, so a script stands in for ykman');
after(() => fake.cleanup());

describe('ykman prompt', () => {
  it('declares the non-interactive "ykman" prompt, available when ykman is on PATH', async () => {
    const definition = await hook();
    assert.equal(definition.kind, 'prompt');
    assert.equal(definition.name, 'ykman');
    assert.ok(!definition.interactive);
    assert.equal(await definition.isAvailable?.(promptContext(fake.env())), true);
    assert.equal(await definition.isAvailable?.(promptContext({ PATH: join(fake.dir, 'nowhere') })), false);
  });

  it('builds aws-vault\'s command line from the serial, the device and the version', () => {
    assert.deepEqual(ykmanArgs(SERIAL, {}), ['oath', 'accounts', 'code', '--single', SERIAL]);
    assert.deepEqual(ykmanArgs(SERIAL, { YKMAN_OATH_CREDENTIAL_NAME: 'Amazon Web Services:alice@123456789012' }), [
      'oath', 'accounts', 'code', '--single', 'Amazon Web Services:alice@123456789012',
    ]);
    assert.deepEqual(ykmanArgs(SERIAL, { YKMAN_OATH_DEVICE_SERIAL: '12345678' }), ['--device', '12345678', 'oath', 'accounts', 'code', '--single', SERIAL]);
    for (const version of ['1', '2', '3']) {
      assert.deepEqual(ykmanArgs(SERIAL, { AWS_VAULT_YKMAN_VERSION: version, YKMAN_OATH_DEVICE_SERIAL: '7' }), ['--device', '7', 'oath', 'code', '--single', SERIAL]);
    }
    for (const version of ['4', '5', '', '10']) {
      assert.deepEqual(ykmanArgs(SERIAL, { AWS_VAULT_YKMAN_VERSION: version }), ['oath', 'accounts', 'code', '--single', SERIAL]);
    }
    assert.deepEqual(ykmanArgs(SERIAL, { YKMAN_OATH_CREDENTIAL_NAME: '', YKMAN_OATH_DEVICE_SERIAL: '' }), ['oath', 'accounts', 'code', '--single', SERIAL]);
  });

  it('runs ykman with those arguments and returns stdout trimmed', async () => {
    const cases: Array<{ env: Record<string, string>; argv: string[] }> = [
      { env: {}, argv: ['oath', 'accounts', 'code', '--single', SERIAL] },
      {
        env: { YKMAN_OATH_CREDENTIAL_NAME: 'aws dev', YKMAN_OATH_DEVICE_SERIAL: '12345678' },
        argv: ['--device', '12345678', 'oath', 'accounts', 'code', '--single', 'aws dev'],
      },
      { env: { AWS_VAULT_YKMAN_VERSION: '3' }, argv: ['oath', 'code', '--single', SERIAL] },
      { env: { AWS_VAULT_YKMAN_VERSION: '2', YKMAN_OATH_DEVICE_SERIAL: '99' }, argv: ['--device', '99', 'oath', 'code', '--single', SERIAL] },
    ];
    for (const { env, argv } of cases) {
      const before = fake.calls().length;
      assert.equal(await ykmanPrompt(SERIAL, promptContext(fake.env({ ...env, FAKE_ANSWER: ' 135790\n' })), NO_TTY), '135790');
      assert.deepEqual(fake.calls()[before]?.argv, argv);
      assert.equal(fake.calls()[before]?.stdinIsTerminal, false);
    }
  });

  it('passes a serial with quotes, $(...) and backticks verbatim, never through a shell', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'vault-ykman-test-'));
    try {
      const marker = join(scratch, 'pwned');
      const serial = `arn:aws:iam::1:mfa/"$(touch ${marker})"'\`touch ${marker}\`'; touch ${marker}`;
      const before = fake.calls().length;
      await ykmanPrompt(serial, promptContext(fake.env({ FAKE_ANSWER: '1' })), NO_TTY);
      assert.deepEqual(fake.calls()[before]?.argv, ['oath', 'accounts', 'code', '--single', serial]);
      assert.equal(existsSync(marker), false);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('a failure is one line naming the device and ykman\'s last stderr line', async () => {
    await rejectsWithVaultError(
      ykmanPrompt(SERIAL, promptContext(fake.env({ FAKE_EXIT: '2', FAKE_STDERR: 'Touch your YubiKey...\nERROR: No YubiKey detected!\n' })), NO_TTY),
      'PROMPT_FAILED',
      `ykman could not give the MFA code for ${SERIAL}: ERROR: No YubiKey detected!`,
    );
    await rejectsWithVaultError(ykmanPrompt(SERIAL, promptContext(fake.env({ FAKE_EXIT: '3' })), NO_TTY), 'PROMPT_FAILED', `ykman could not give the MFA code for ${SERIAL}: exited with status 3`);
    await rejectsWithVaultError(ykmanPrompt(SERIAL, promptContext(fake.env({ FAKE_ANSWER: '' })), NO_TTY), 'MFA_CODE_EMPTY', `ykman printed no MFA code for ${SERIAL}`);
    await rejectsWithVaultError(ykmanPrompt(SERIAL, promptContext({ PATH: join(fake.dir, 'nowhere') }), NO_TTY), 'PROMPT_UNAVAILABLE', new RegExp(`${SERIAL}: ykman is not on PATH`));
  });

  it('waits a bounded time: PROMPT_TIMEOUT, from the option or VAULT_PROMPT_TIMEOUT', async () => {
    const started = Date.now();
    await rejectsWithVaultError(ykmanPrompt(SERIAL, promptContext(fake.env({ FAKE_SLEEP: '30' })), { ...NO_TTY, timeoutMs: 300 }), 'PROMPT_TIMEOUT', new RegExp(`${SERIAL} within 0\\.3s`));
    await rejectsWithVaultError(ykmanPrompt(SERIAL, promptContext(fake.env({ FAKE_SLEEP: '30', VAULT_PROMPT_TIMEOUT: '250ms' })), NO_TTY), 'PROMPT_TIMEOUT', /within 0\.3s|within 0\.2s/);
    assert.ok(Date.now() - started < 5_000);
  });
});

// The prompt as vault runs it: a child program that loads the hook and asks once.
const HOOK_URL = new URL('./hooks/prompt.js', import.meta.url).href;
const CHILD = `
import hook from ${JSON.stringify(HOOK_URL)};
const definition = await hook();
try {
  const code = await definition.prompt(${JSON.stringify(SERIAL)}, { env: process.env, debug: () => {} });
  process.stdout.write(JSON.stringify({ code }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: { code: error.code, message: error.message } }));
}
`;
const childArgv = [process.execPath, '--input-type=module', '-e', CHILD];

describe('ykman and the terminal', () => {
  it('on a terminal: ykman reads the terminal and its "Touch your YubiKey" shows there, not in vault\'s output', { skip: ptyMissing(), timeout: 30_000 }, async () => {
    const before = fake.calls().length;
    const run = await runOnTerminal(childArgv, fake.env({ FAKE_STDERR: 'Touch your YubiKey...', FAKE_ANSWER: '112233' }));
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { code: '112233' });
    assert.ok(run.transcript.includes('Touch your YubiKey...'), `terminal showed: ${JSON.stringify(run.transcript)}`);
    assert.ok(!run.stderr.includes('Touch'), 'the touch request went to the terminal');
    assert.equal(fake.calls()[before]?.stdinIsTerminal, true, 'ykman\'s stdin is the terminal');
  });

  it('without a terminal: no stdin for ykman, its stderr copied to vault\'s stderr', { skip: process.platform === 'win32', timeout: 30_000 }, async () => {
    const before = fake.calls().length;
    const run = await runWithoutTerminal(childArgv, fake.env({ FAKE_STDERR: 'Touch your YubiKey...', FAKE_ANSWER: '445566' }));
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { code: '445566' });
    assert.match(run.stderr, /Touch your YubiKey\.\.\./);
    assert.equal(fake.calls()[before]?.stdinIsTerminal, false);
  });
});
