import { graphicalSession, isNonInteractive, needsUserError, nonInteractiveRequested, type DebugLogger } from '@awsvault/core';

export interface SignInGateOptions {
  profileName: string;
  env: Readonly<Record<string, string | undefined>>;
  /** `--stdout` / `AWS_VAULT_STDOUT`: the person asked for the sign-in URL on stderr and reads it there. */
  printOnly: boolean;
  debug: DebugLogger;
  platform?: NodeJS.Platform;
  /** Test seam: whether a terminal can be opened. */
  hasTerminal?: () => boolean;
}

/**
 * Refuses a sign-in nobody can complete, before any portal call: with `VAULT_NON_INTERACTIVE=1`,
 * or with no terminal, no browser to open (the device flow was chosen) and no `--stdout`. The
 * device flow would otherwise poll for up to ten minutes for a code nobody saw.
 */
export async function assertCanSignIn(options: SignInGateOptions): Promise<void> {
  const { env, profileName } = options;
  const requested = nonInteractiveRequested(env);
  if (!requested && options.printOnly) return;
  // Both flows open the browser when they can (the device flow opens its verification page); over
  // SSH the browser would open on the wrong machine.
  const ssh = Boolean(env['SSH_CONNECTION'] || env['SSH_CLIENT'] || env['SSH_TTY']);
  const gui = !ssh && graphicalSession(env, options.platform);
  if (!isNonInteractive(env, { gui, ...(options.hasTerminal ? { hasTerminal: options.hasTerminal } : {}) })) return;
  options.debug(`profile ${profileName}: an SSO sign-in is needed and ${requested ? 'VAULT_NON_INTERACTIVE is set' : 'there is no terminal or browser'}`);
  throw await needsUserError(profileName, 'an SSO login', {
    env, debug: options.debug, ...(options.platform ? { platform: options.platform } : {}),
    hint: `run \`vault login ${profileName}\` in a terminal`,
  });
}
