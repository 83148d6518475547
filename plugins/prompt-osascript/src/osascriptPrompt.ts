import { mfaPromptMessage } from '@awsvault/core';
import type { PromptContext } from '@awsvault/core';
import { findOnPath, promptTimeoutMs, runDialog } from './promptCommand.js';

/** How a dialog prompt may be tuned by a caller (the CLI passes none). @public */
export interface DialogPromptOptions {
  /** How long the dialog may stay open; default `VAULT_PROMPT_TIMEOUT`, else 120 s. */
  timeoutMs?: number;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` as an AppleScript string literal: backslash and double quote escaped, line breaks and tabs
 * written as `\n`, `\r`, `\t`; other control characters (AppleScript has no escape for them) become
 * spaces. The result is data inside the script, never script code.
 * @public
 */
export function appleScriptString(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/[\\"\n\r\t]|[\u0000-\u001f\u007f]/g, (c) => ESCAPES[c] ?? ' ')}"`;
}

/** The AppleScript aws-vault runs: a dialog with an empty answer field, OK and Cancel. @public */
export function osascriptScript(mfaSerial: string): string {
  return [
    `display dialog ${appleScriptString(mfaPromptMessage(mfaSerial))} default answer "" buttons {"OK", "Cancel"} default button 1`,
    'text returned of the result',
    'return result',
  ].join('\n');
}

/** aws-vault's osascript command line, after the program name. @public */
export function osascriptArgs(mfaSerial: string): string[] {
  return ['-e', osascriptScript(mfaSerial)];
}

/** Whether this is macOS and osascript is on the PATH of `ctx.env`. @public */
export function osascriptAvailable(ctx: Pick<PromptContext, 'env'>, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' && findOnPath('osascript', ctx.env) !== undefined;
}

/**
 * Asks for the MFA code of `mfaSerial` in a macOS dialog (`osascript -e 'display dialog ...'`) and
 * resolves what was typed, trimmed. Errors are `VaultError`s naming the device: `PROMPT_CANCELLED`
 * (Cancel, which osascript reports as error -128), `PROMPT_TIMEOUT`, `PROMPT_UNAVAILABLE` (no
 * osascript), `MFA_CODE_EMPTY`.
 * @public
 */
export async function osascriptPrompt(mfaSerial: string, ctx: PromptContext, options: DialogPromptOptions = {}): Promise<string> {
  return runDialog({
    program: 'osascript',
    args: osascriptArgs(mfaSerial),
    mfaSerial,
    env: ctx.env,
    timeoutMs: options.timeoutMs ?? promptTimeoutMs(ctx.env),
    debug: ctx.debug,
  });
}
