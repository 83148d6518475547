import { mfaPromptMessage } from '@awsvault/core';
import type { PromptContext } from '@awsvault/core';
import { findOnPath, promptTimeoutMs, runDialog } from './promptCommand.js';

/** How a dialog prompt may be tuned by a caller (the CLI passes none). @public */
export interface DialogPromptOptions {
  /** How long the dialog may stay open; default `VAULT_PROMPT_TIMEOUT`, else 120 s. */
  timeoutMs?: number;
}

/** aws-vault's zenity command line, after the program name. @public */
export function zenityArgs(mfaSerial: string): string[] {
  return ['--entry', '--title', 'aws-vault', '--text', mfaPromptMessage(mfaSerial)];
}

/** Whether zenity is on the PATH of `ctx.env`. @public */
export function zenityAvailable(ctx: Pick<PromptContext, 'env'>): boolean {
  return findOnPath('zenity', ctx.env) !== undefined;
}

/**
 * Asks for the MFA code of `mfaSerial` in a GTK entry dialog (`zenity --entry`) on the display of
 * `ctx.env` and resolves what was typed, trimmed. Errors are `VaultError`s naming the device:
 * `PROMPT_CANCELLED` (Cancel, Escape, closed, no display), `PROMPT_TIMEOUT`, `PROMPT_UNAVAILABLE`
 * (zenity missing), `MFA_CODE_EMPTY`.
 * @public
 */
export async function zenityPrompt(mfaSerial: string, ctx: PromptContext, options: DialogPromptOptions = {}): Promise<string> {
  return runDialog({
    program: 'zenity',
    args: zenityArgs(mfaSerial),
    mfaSerial,
    env: ctx.env,
    timeoutMs: options.timeoutMs ?? promptTimeoutMs(ctx.env),
    debug: ctx.debug,
  });
}
