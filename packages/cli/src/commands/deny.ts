import { Args } from '@oclif/core';
import { changeTrust } from '../dirProfile/changeTrust.js';
import { VaultCommand } from '../vaultCommand.js';

export default class Deny extends VaultCommand {
  static override summary = 'Stop trusting the .vault-profile of a directory tree.';
  static override description = 'Removes the nearest .vault-profile at or above DIR (default: the current directory) from the trust list.';
  static override examples = ['<%= config.bin %> deny', '<%= config.bin %> deny ~/src/project'];
  static override args = { dir: Args.string({ description: 'Directory (default: the current one)' }) };

  async run(): Promise<void> {
    const { args } = await this.parseVault(Deny);
    const { file } = changeTrust('deny', args.dir ?? process.cwd(), this.env());
    process.stderr.write(`vault: denied ${file}\n`);
  }
}
