import { Command } from '@oclif/core';

export default class Version extends Command {
  static override summary = 'Print the vault version.';
  static override description = 'Prints the version to stdout (`vault --version` does the same), for scripts that compare versions.';
  static override examples = ['<%= config.bin %> version'];

  async run(): Promise<void> {
    this.log(this.config.version);
  }
}
