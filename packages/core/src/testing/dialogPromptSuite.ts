/**
 * The behaviour every dialog prompt (osascript, zenity, kdialog: a program that shows a dialog and
 * prints the code) shares, as a node:test suite run against a fake program, with the small helpers
 * it is built from.
 *
 * node:test is only called inside `dialogPromptSuite`: importing this module registers no tests.
 * @module
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isVaultError, type VaultError } from '../errors.js';
import type { PromptContext, PromptDefinition } from '../prompt.js';
import { fakeProgram } from './fakeProgram.js';

/** A dialog prompt to test; see `dialogPromptSuite`. @public */
export interface DialogPromptSuiteOptions {
  /** The program's name, as the prompt looks it up on PATH (`zenity`); also the prompt's name. */
  program: string;
  /** Why a fake stands in for the real program, for the script's comment. */
  why: string;
  /** The prompt's hook (the default export of its `vault:prompt` hook file). */
  hook: () => Promise<PromptDefinition>;
  /** The exact arguments the prompt passes for this serial. */
  expectedArgs(mfaSerial: string): string[];
  /** Whether isAvailable can be true on this machine with the program on PATH. */
  availableHere: boolean;
  /** An X11/Wayland dialog: available only with DISPLAY or WAYLAND_DISPLAY set. */
  needsDisplay?: boolean;
}

/** The MFA serial the suite asks for. @public */
export const TEST_MFA_SERIAL = 'arn:aws:iam::123456789012:mfa/dev';

/** A `PromptContext` with this environment whose debug messages are kept in `logged`. @public */
export function promptContext(env: Record<string, string>): PromptContext & { logged: string[] } {
  const logged: string[] = [];
  return { env, debug: (message: string) => logged.push(message), logged };
}

/**
 * Asserts that `promise` rejects with a one-line `VaultError` whose code is `code` and whose message
 * equals `message` (a string) or matches it (a RegExp); resolves that error.
 * @public
 */
export async function rejectsWithVaultError(promise: Promise<unknown>, code: string, message?: string | RegExp): Promise<VaultError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    assert.ok(isVaultError(error), `expected a VaultError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'), 'the message is one line');
    return true;
  });
  return caught as VaultError;
}

/**
 * Registers a node:test suite that checks a dialog prompt plugin against a fake of its program
 * (see `fakeProgram`): the hook's declaration and availability, the exact arguments (a hostile serial
 * passed verbatim, never through a shell), the answer trimmed, and the shared error rules
 * (`PROMPT_CANCELLED` with the program's last stderr line, `PROMPT_TIMEOUT` from
 * `VAULT_PROMPT_TIMEOUT`, `ENV_INVALID`, `MFA_CODE_EMPTY`, `PROMPT_UNAVAILABLE`). The fake is a
 * /bin/sh script, so the suite runs on POSIX systems only. Call it at the top level of a test file.
 *
 * @example
 * ```ts
 * import hook from './hooks/prompt.js';
 * dialogPromptSuite({
 *   program: 'mydialog',
 *   why: 'CI has no display, so a script stands in for mydialog',
 *   hook,
 *   expectedArgs: (serial) => ['--ask', `Enter MFA code for ${serial}: `],
 *   availableHere: true,
 * });
 * ```
 * @public
 */
export function dialogPromptSuite(suite: DialogPromptSuiteOptions): void {
  const { program } = suite;
  const SERIAL = TEST_MFA_SERIAL;
  describe(`${program} prompt (fake ${program} on PATH)`, () => {
    const fake = fakeProgram(program, suite.why);
    const scratch = mkdtempSync(join(tmpdir(), `vault-${program}-test-`));
    after(() => {
      fake.cleanup();
      rmSync(scratch, { recursive: true, force: true });
    });

    it(`declares the non-interactive "${program}" prompt, available when ${program} is on PATH`, async () => {
      const definition = await suite.hook();
      assert.equal(definition.kind, 'prompt');
      assert.equal(definition.name, program);
      assert.ok(!definition.interactive, 'auto-selection may pick it without a terminal');
      assert.equal(await definition.isAvailable?.(promptContext({ ...fake.env(), DISPLAY: ':0' })), suite.availableHere);
      if (suite.needsDisplay) {
        const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ...noDisplay } = fake.env();
        assert.equal(await definition.isAvailable?.(promptContext(noDisplay)), false, 'no display, no dialog');
      }
      assert.equal(await definition.isAvailable?.(promptContext({ PATH: scratch })), false);
    });

    it('runs the program with aws-vault\'s exact arguments and returns stdout trimmed', async () => {
      const definition = await suite.hook();
      const before = fake.calls().length;
      const code = await definition.prompt(SERIAL, promptContext(fake.env({ FAKE_ANSWER: '  123456 \t' })));
      assert.equal(code, '123456');
      const call = fake.calls()[before];
      assert.deepEqual(call?.argv, suite.expectedArgs(SERIAL));
      assert.equal(call?.stdinIsTerminal, false, 'the dialog gets no stdin');
    });

    it('passes a serial with quotes, $(...) and backticks verbatim, never through a shell', async () => {
      const marker = join(scratch, 'pwned');
      const serial = `arn:aws:iam::123456789012:mfa/it's "$(touch ${marker})" \`touch ${marker}\` ; touch ${marker} \\ end`;
      const definition = await suite.hook();
      const before = fake.calls().length;
      assert.equal(await definition.prompt(serial, promptContext(fake.env({ FAKE_ANSWER: '654321' }))), '654321');
      assert.deepEqual(fake.calls()[before]?.argv, suite.expectedArgs(serial));
      assert.equal(existsSync(marker), false, 'nothing in the serial was run');
    });

    it('a cancelled dialog (non-zero exit) is PROMPT_CANCELLED naming the device and the program\'s last stderr line', async () => {
      const definition = await suite.hook();
      await rejectsWithVaultError(
        definition.prompt(SERIAL, promptContext(fake.env({ FAKE_EXIT: '1' }))),
        'PROMPT_CANCELLED',
        `MFA code entry for ${SERIAL} was cancelled in ${program}`,
      );
      await rejectsWithVaultError(
        definition.prompt(SERIAL, promptContext(fake.env({ FAKE_EXIT: '1', FAKE_STDERR: 'warming up\ncannot open display: :42' }))),
        'PROMPT_CANCELLED',
        `MFA code entry for ${SERIAL} was cancelled in ${program} (cannot open display: :42)`,
      );
    });

    it('gives up after the timeout with PROMPT_TIMEOUT, closing the dialog', async () => {
      const definition = await suite.hook();
      const started = Date.now();
      await rejectsWithVaultError(
        definition.prompt(SERIAL, promptContext(fake.env({ FAKE_SLEEP: '30', VAULT_PROMPT_TIMEOUT: '300ms' }))),
        'PROMPT_TIMEOUT',
        new RegExp(`${SERIAL}.*within 0\\.3s`),
      );
      await rejectsWithVaultError(definition.prompt(SERIAL, promptContext(fake.env({ FAKE_SLEEP: '30', VAULT_PROMPT_TIMEOUT: '0.2' }))), 'PROMPT_TIMEOUT', /within 0\.2s/);
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    });

    it('rejects a malformed VAULT_PROMPT_TIMEOUT before opening a dialog', async () => {
      const definition = await suite.hook();
      const before = fake.calls().length;
      await rejectsWithVaultError(definition.prompt(SERIAL, promptContext(fake.env({ VAULT_PROMPT_TIMEOUT: 'soon' }))), 'ENV_INVALID', /VAULT_PROMPT_TIMEOUT=soon/);
      assert.equal(fake.calls().length, before);
    });

    it('an empty answer is MFA_CODE_EMPTY; a missing program PROMPT_UNAVAILABLE', async () => {
      const definition = await suite.hook();
      await rejectsWithVaultError(definition.prompt(SERIAL, promptContext(fake.env({ FAKE_ANSWER: '   ' }))), 'MFA_CODE_EMPTY', new RegExp(SERIAL));
      await rejectsWithVaultError(definition.prompt(SERIAL, promptContext({ PATH: scratch })), 'PROMPT_UNAVAILABLE', new RegExp(`${SERIAL}: ${program} is not on PATH`));
    });
  });
}
