/**
 * The behaviour every dialog prompt (osascript, zenity, kdialog) shares, as a node:test suite run
 * against a fake program (see fakeProgram.test.util.ts). Identical copies sit in those plugins.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isVaultError } from '@awsvault/core';
import type { PromptContext, PromptDefinition } from '@awsvault/core';
import { fakeProgram } from './fakeProgram.test.util.js';

export interface DialogSuite {
  program: string;
  /** Why a fake stands in for the real program, for the script's comment. */
  why: string;
  hook: () => Promise<PromptDefinition>;
  /** The exact arguments aws-vault passes for this serial. */
  expectedArgs(mfaSerial: string): string[];
  /** Whether isAvailable can be true on this machine with the program on PATH. */
  availableHere: boolean;
}

export const SERIAL = 'arn:aws:iam::123456789012:mfa/dev';

export function ctxWith(env: Record<string, string>): PromptContext & { logged: string[] } {
  const logged: string[] = [];
  return { env, debug: (message: string) => logged.push(message), logged };
}

export async function rejectsWith(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<Error> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    assert.ok(isVaultError(error), `expected a VaultError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), 'the message is one line');
    return true;
  });
  return caught as Error;
}

export function dialogSuite(suite: DialogSuite): void {
  const { program } = suite;
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
      assert.equal(await definition.isAvailable?.(ctxWith(fake.env())), suite.availableHere);
      assert.equal(await definition.isAvailable?.(ctxWith({ PATH: scratch })), false);
    });

    it('runs the program with aws-vault\'s exact arguments and returns stdout trimmed', async () => {
      const definition = await suite.hook();
      const before = fake.calls().length;
      const code = await definition.prompt(SERIAL, ctxWith(fake.env({ FAKE_ANSWER: '  123456 \t' })));
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
      assert.equal(await definition.prompt(serial, ctxWith(fake.env({ FAKE_ANSWER: '654321' }))), '654321');
      assert.deepEqual(fake.calls()[before]?.argv, suite.expectedArgs(serial));
      assert.equal(existsSync(marker), false, 'nothing in the serial was run');
    });

    it('a cancelled dialog (non-zero exit) is PROMPT_CANCELLED naming the device and the program\'s last stderr line', async () => {
      const definition = await suite.hook();
      const plain = await rejectsWith(definition.prompt(SERIAL, ctxWith(fake.env({ FAKE_EXIT: '1' }))), 'PROMPT_CANCELLED');
      assert.equal(plain.message, `MFA code entry for ${SERIAL} was cancelled in ${program}`);
      const detailed = await rejectsWith(
        definition.prompt(SERIAL, ctxWith(fake.env({ FAKE_EXIT: '1', FAKE_STDERR: 'warming up\ncannot open display: :42' }))),
        'PROMPT_CANCELLED',
      );
      assert.equal(detailed.message, `MFA code entry for ${SERIAL} was cancelled in ${program} (cannot open display: :42)`);
    });

    it('gives up after the timeout with PROMPT_TIMEOUT, closing the dialog', async () => {
      const definition = await suite.hook();
      const started = Date.now();
      await rejectsWith(definition.prompt(SERIAL, ctxWith(fake.env({ FAKE_SLEEP: '30', VAULT_PROMPT_TIMEOUT: '300ms' }))), 'PROMPT_TIMEOUT', new RegExp(`${SERIAL}.*within 0\\.3s`));
      await rejectsWith(definition.prompt(SERIAL, ctxWith(fake.env({ FAKE_SLEEP: '30', VAULT_PROMPT_TIMEOUT: '0.2' }))), 'PROMPT_TIMEOUT', /within 0\.2s/);
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    });

    it('rejects a malformed VAULT_PROMPT_TIMEOUT before opening a dialog', async () => {
      const definition = await suite.hook();
      const before = fake.calls().length;
      await rejectsWith(definition.prompt(SERIAL, ctxWith(fake.env({ VAULT_PROMPT_TIMEOUT: 'soon' }))), 'ENV_INVALID', /VAULT_PROMPT_TIMEOUT=soon/);
      assert.equal(fake.calls().length, before);
    });

    it('an empty answer is MFA_CODE_EMPTY; a missing program PROMPT_UNAVAILABLE', async () => {
      const definition = await suite.hook();
      await rejectsWith(definition.prompt(SERIAL, ctxWith(fake.env({ FAKE_ANSWER: '   ' }))), 'MFA_CODE_EMPTY', new RegExp(SERIAL));
      await rejectsWith(definition.prompt(SERIAL, ctxWith({ PATH: scratch })), 'PROMPT_UNAVAILABLE', new RegExp(`${SERIAL}: ${program} is not on PATH`));
    });
  });
}
