import { findOnPath, mfaPromptMessage, runDialogPrompt } from '@awsvault/core';
import type { DialogPromptOptions, PromptContext } from '@awsvault/core';

export type { DialogPromptOptions } from '@awsvault/core';

/** aws-vault's kdialog command line, after the program name. @public */
export function kdialogArgs(mfaSerial: string): string[] {
  return ['--inputbox', mfaPromptMessage(mfaSerial), '--title', 'aws-vault'];
}

/** Whether kdialog is on the PATH of `ctx.env`. @public */
export function kdialogAvailable(ctx: Pick<PromptContext, 'env'>): boolean {
  // Without a display the dialog can only fail: automatic selection moves on (and, with no terminal
  // either, vault fails fast instead of picking a prompt that cannot be shown).
  return findOnPath('kdialog', ctx.env) !== undefined && Boolean(ctx.env['DISPLAY'] || ctx.env['WAYLAND_DISPLAY']);
}

/**
 * Asks for the MFA code of `mfaSerial` in a KDE input box (`kdialog --inputbox`) and resolves what
 * was typed, trimmed. Errors are `VaultError`s naming the device: `PROMPT_CANCELLED` (Cancel, closed,
 * no display), `PROMPT_TIMEOUT`, `PROMPT_UNAVAILABLE` (kdialog missing), `MFA_CODE_EMPTY`.
 * @public
 */
export async function kdialogPrompt(mfaSerial: string, ctx: PromptContext, options: DialogPromptOptions = {}): Promise<string> {
  return runDialogPrompt({ program: 'kdialog', args: kdialogArgs(mfaSerial), mfaSerial, env: ctx.env, debug: ctx.debug, timeoutMs: options.timeoutMs });
}
