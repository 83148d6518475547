import { findOnPath, mfaPromptMessage, runDialogPrompt } from '@awsvault/core';
import type { DialogPromptOptions, PromptContext } from '@awsvault/core';

export type { DialogPromptOptions } from '@awsvault/core';

/** aws-vault's zenity command line, after the program name. @public */
export function zenityArgs(mfaSerial: string): string[] {
  return ['--entry', '--title', 'aws-vault', '--text', mfaPromptMessage(mfaSerial)];
}

/** Whether zenity is on the PATH of `ctx.env`. @public */
export function zenityAvailable(ctx: Pick<PromptContext, 'env'>): boolean {
  // Without a display the dialog can only fail: automatic selection moves on (and, with no terminal
  // either, vault fails fast instead of picking a prompt that cannot be shown).
  return findOnPath('zenity', ctx.env) !== undefined && Boolean(ctx.env['DISPLAY'] || ctx.env['WAYLAND_DISPLAY']);
}

/**
 * Asks for the MFA code of `mfaSerial` in a GTK entry dialog (`zenity --entry`) on the display of
 * `ctx.env` and resolves what was typed, trimmed. Errors are `VaultError`s naming the device:
 * `PROMPT_CANCELLED` (Cancel, Escape, closed, no display), `PROMPT_TIMEOUT`, `PROMPT_UNAVAILABLE`
 * (zenity missing), `MFA_CODE_EMPTY`.
 * @public
 */
export async function zenityPrompt(mfaSerial: string, ctx: PromptContext, options: DialogPromptOptions = {}): Promise<string> {
  return runDialogPrompt({ program: 'zenity', args: zenityArgs(mfaSerial), mfaSerial, env: ctx.env, debug: ctx.debug, timeoutMs: options.timeoutMs });
}
