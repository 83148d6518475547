import { askOnTerminal, isVaultError, nonInteractiveRequested } from '@awsvault/core';

/** `yes`/`no` from the user, or `no-terminal` when nobody can be asked (nothing is removed then). */
export type RemovalAnswer = 'yes' | 'no' | 'no-terminal';

/**
 * Asks on the controlling terminal (never stdin/stdout) whether to remove the imported keys from the
 * plaintext file. Without a terminal, or with VAULT_NON_INTERACTIVE=1, the answer is `no-terminal`.
 */
export async function confirmRemoval(
  path: string,
  profiles: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: { ttyPath?: string } = {},
): Promise<RemovalAnswer> {
  if (nonInteractiveRequested(env)) return 'no-terminal';
  try {
    const answer = await askOnTerminal(`Remove the keys of ${profiles.join(', ')} from ${path}? A backup is written first. (y|N) `, options);
    return /^(y|yes)$/i.test(answer) ? 'yes' : 'no';
  } catch (error) {
    if (isVaultError(error) && error.code === 'NO_TERMINAL') return 'no-terminal';
    throw error;
  }
}
