import { mfaPromptMessage } from '@awsvault/core';
import type { PromptContext } from '@awsvault/core';
import { findOnPath, promptTimeoutMs, runDialog } from './promptCommand.js';

/** How a dialog prompt may be tuned by a caller (the CLI passes none). @public */
export interface DialogPromptOptions {
  /** How long the dialog may stay open; default `VAULT_PROMPT_TIMEOUT`, else 120 s. */
  timeoutMs?: number;
}

/** aws-vault's kdialog command line, after the program name. @public */
export function kdialogArgs(mfaSerial: string): string[] {
  return ['--inputbox', mfaPromptMessage(mfaSerial), '--title', 'aws-vault'];
}

/** Whether kdialog is on the PATH of `ctx.env`. @public */
export function kdialogAvailable(ctx: Pick<PromptContext, 'env'>): boolean {
  return findOnPath('kdialog', ctx.env) !== undefined;
}

/**
 * Asks for the MFA code of `mfaSerial` in a KDE input box (`kdialog --inputbox`) and resolves what
 * was typed, trimmed. Errors are `VaultError`s naming the device: `PROMPT_CANCELLED` (Cancel, closed,
 * no display), `PROMPT_TIMEOUT`, `PROMPT_UNAVAILABLE` (kdialog missing), `MFA_CODE_EMPTY`.
 * @public
 */
export async function kdialogPrompt(mfaSerial: string, ctx: PromptContext, options: DialogPromptOptions = {}): Promise<string> {
  return runDialog({
    program: 'kdialog',
    args: kdialogArgs(mfaSerial),
    mfaSerial,
    env: ctx.env,
    timeoutMs: options.timeoutMs ?? promptTimeoutMs(ctx.env),
    debug: ctx.debug,
  });
}
