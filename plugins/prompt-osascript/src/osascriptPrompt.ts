import { findOnPath, mfaPromptMessage, runDialogPrompt } from '@awsvault/core';
import type { DialogPromptOptions, PromptContext } from '@awsvault/core';

export type { DialogPromptOptions } from '@awsvault/core';

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
  return runDialogPrompt({ program: 'osascript', args: osascriptArgs(mfaSerial), mfaSerial, env: ctx.env, debug: ctx.debug, timeoutMs: options.timeoutMs });
}
