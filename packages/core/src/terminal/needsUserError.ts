import { VaultError } from '../errors.js';
import type { DebugLogger } from '../logger.js';
import { notifyDesktop } from './notifyDesktop.js';

/** What a profile needs from the person. @public */
export type UserNeed = 'an MFA code' | 'an SSO login';

/**
 * The error for a step that needs the person when there is no way to ask (`isNonInteractive`):
 * one line naming the profile and what it needs, code `NON_INTERACTIVE`, exit 1. A desktop
 * notification says the same where one can be shown, since the line may land in a log nobody
 * reads (an IDE's credential_process output).
 * @public
 */
export async function needsUserError(profileName: string, need: UserNeed, options: { env: Readonly<Record<string, string | undefined>>; hint: string; debug?: DebugLogger; platform?: NodeJS.Platform }): Promise<VaultError> {
  const message = `profile ${profileName} needs ${need} and no terminal is available`;
  await notifyDesktop(`vault: profile ${profileName} needs ${need}`, `No terminal is available to ask on: ${options.hint}.`, {
    env: options.env,
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.debug ? { debug: options.debug } : {}),
  });
  return new VaultError('NON_INTERACTIVE', message, { hint: options.hint });
}
