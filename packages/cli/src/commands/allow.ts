import { Args } from '@oclif/core';
import { changeTrust } from '../dirProfile/changeTrust.js';
import { trustFilePath } from '../dirProfile/trustStore.js';
import { VaultCommand } from '../vaultCommand.js';

export default class Allow extends VaultCommand {
  static override summary = 'Trust the .vault-profile of a directory tree.';
  static override description = [
    'Adds the nearest .vault-profile at or above DIR (default: the current directory), with a digest of its content, to the',
    'trust list ($XDG_CONFIG_HOME/vault/trusted-dirs.json). The shell hook of `vault shell-init` then uses its profile in that',
    'tree. Editing the file makes it untrusted again.',
  ].join('\n');
  static override examples = ['<%= config.bin %> allow', '<%= config.bin %> allow ~/src/project'];
  static override args = { dir: Args.string({ description: 'Directory (default: the current one)' }) };

  async run(): Promise<void> {
    const { args } = await this.parseVault(Allow);
    const { file, profile } = changeTrust('allow', args.dir ?? process.cwd(), this.env());
    this.debugLog(`trust list ${trustFilePath(this.env())}`);
    process.stderr.write(`vault: allowed ${file} (profile ${profile ?? ''})\n`);
  }
}
