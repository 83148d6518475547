import { askOnTerminal, isVaultError, mfaPromptMessage, VaultError } from '@awsvault/core';
import type { PromptContext } from '@awsvault/core';

const NO_TERMINAL_HINT = 'use --mfa-token, mfa_process, or another prompt (--prompt zenity|kdialog|osascript|ykman)';

/**
 * Asks for the current MFA code of `mfaSerial` on the controlling terminal, echoing what is typed
 * (as aws-vault does; an MFA code is single-use and short-lived). Never reads stdin or writes stdout.
 *
 * Rejects with a `VaultError`: `NO_TERMINAL` (with a hint naming the alternatives) when there is no
 * terminal, `PROMPT_CANCELLED` on Ctrl-C / Ctrl-D / hang-up, `MFA_CODE_EMPTY` when only Enter was
 * pressed. The code's format is left to STS to judge.
 * @public
 */
export async function terminalPrompt(mfaSerial: string, ctx: PromptContext): Promise<string> {
  ctx.debug(`asking for the MFA code of ${mfaSerial} on the terminal`);
  let code: string;
  try {
    code = await askOnTerminal(mfaPromptMessage(mfaSerial));
  } catch (error) {
    if (isVaultError(error) && error.code === 'NO_TERMINAL') {
      throw new VaultError('NO_TERMINAL', `cannot ask for the MFA code of ${mfaSerial}: no terminal`, {
        hint: NO_TERMINAL_HINT,
        cause: error,
      });
    }
    if (isVaultError(error) && error.code === 'PROMPT_CANCELLED') {
      throw new VaultError('PROMPT_CANCELLED', `MFA code entry for ${mfaSerial} was cancelled`, { cause: error });
    }
    throw error;
  }
  if (code === '') throw new VaultError('MFA_CODE_EMPTY', `no MFA code entered for ${mfaSerial}`);
  return code;
}
