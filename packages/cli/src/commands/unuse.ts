import { needsShellInit } from '../shell/needsShellInit.js';
import { VaultCommand } from '../vaultCommand.js';

export default class Unuse extends VaultCommand {
  static override summary = 'Remove the credentials `vault use` set (needs `vault shell-init`).';
  static override description = 'The same as `vault use --unset`, handled by the shell function `vault shell-init` defines.';
  static override examples = ['<%= config.bin %> unuse'];

  async run(): Promise<void> {
    throw needsShellInit(this.config.bin, 'unuse');
  }
}
