import { Args, Command } from '@oclif/core';
import { silentLogger } from '@awsvault/core';
import { pluginFingerprint, cachePath, writeValuesCache } from '../completion/valuesCache.js';
import { valuesOf } from '../completion/loadPluginValues.js';
import { buildModel, type CommandLike, type TopicLike } from '../completion/model.js';
import { completionScript, installInstructions, SHELLS, type Shell } from '../completion/scripts.js';
import { loadRegistry } from '../registry.js';
import { VaultCommand } from '../vaultCommand.js';

export default class Completion extends Command {
  static override summary = 'Print a shell completion script (bash, zsh, fish or PowerShell).';
  static override description = installInstructions('<%= config.bin %>');
  static override examples = [
    '<%= config.bin %> completion bash > ~/.local/share/bash-completion/completions/<%= config.bin %>',
    '<%= config.bin %> completion zsh > ~/.zfunc/_<%= config.bin %>',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish',
    '<%= config.bin %> completion powershell | Out-String | Invoke-Expression',
  ];
  static override args = {
    shell: Args.string({ description: 'Shell to print the script for', options: [...SHELLS], required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const model = buildModel(
      this.config.bin,
      this.config.commands as unknown as CommandLike[],
      this.config.topics as unknown as TopicLike[],
      Object.keys(VaultCommand.baseFlags),
    );
    process.stdout.write(completionScript(args.shell as Shell, model, this.config.version));
    await this.warmCache();
  }

  /** Fills the backend/prompt cache `vault __complete` reads, so the first TAB does not load oclif. */
  private async warmCache(): Promise<void> {
    try {
      const registry = await loadRegistry(this.config, silentLogger, ['backend', 'prompt']);
      writeValuesCache(cachePath(process.env), pluginFingerprint(this.config.root, process.env), valuesOf(registry));
    } catch {
      /* the first TAB will try again */
    }
  }
}
