import { Args, Flags } from '@oclif/core';
import { needsShellInit } from '../shell/needsShellInit.js';
import { VaultCommand } from '../vaultCommand.js';

/**
 * `vault use` changes the calling shell, which a program cannot do: the `vault` shell function of
 * `vault shell-init` answers it. Reaching the program means that function is not loaded.
 */
export default class Use extends VaultCommand {
  static override summary = 'Set a profile\'s credentials in the current shell (needs `vault shell-init`).';
  static override description = 'Handled by the shell function `vault shell-init` defines; run as a program it only says how to load that function.';
  static override examples = ['<%= config.bin %> use dev', '<%= config.bin %> use --unset'];
  static override strict = false;
  static override args = { profile: Args.string({ description: 'Name of the profile' }) };
  static override flags = { unset: Flags.boolean({ char: 'u', description: 'Remove the credentials `use` set', default: false }) };

  async run(): Promise<void> {
    // no parsing: whatever follows `use` (export flags too) gets the same answer
    throw needsShellInit(this.config.bin, 'use');
  }
}
