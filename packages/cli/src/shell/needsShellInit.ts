import { VaultError } from '@awsvault/core';
import { currentShell, loadInstruction } from './shellInitScript.js';

/** The error of `vault use` / `vault unuse` reaching the program: the shell function is not loaded. */
export function needsShellInit(bin: string, command: string, env: Readonly<Record<string, string | undefined>> = process.env): VaultError {
  return new VaultError('SHELL_INIT_MISSING', `${bin} ${command} changes the current shell and needs the ${bin} shell function`, {
    hint: `add \`${loadInstruction(currentShell(env), bin)}\` to your shell's startup file, then open a new shell`,
  });
}
