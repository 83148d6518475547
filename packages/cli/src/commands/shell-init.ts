import { Args, Command } from '@oclif/core';
import { INIT_SHELLS, loadInstruction, shellInitScript, type InitShell } from '../shell/shellInitScript.js';

export default class ShellInit extends Command {
  static override summary = 'Print shell code that adds `vault use`, credential refresh and .vault-profile.';
  static override description = [
    'Load it from your shell\'s startup file:',
    ...INIT_SHELLS.map((shell) => `  ${shell}: ${loadInstruction(shell, '<%= config.bin %>')}`),
    '',
    'It defines a `<%= config.bin %>` function (nu: `<%= config.bin %> use` / `<%= config.bin %> unuse` commands): `<%= config.bin %> use <profile>` sets the profile\'s credentials in the',
    'current shell, a prompt hook renews them before they expire (VAULT_REFRESH_WINDOW, default 5m), and a trusted',
    '.vault-profile file (`<%= config.bin %> allow`) selects the profile per directory tree.',
  ].join('\n');
  static override examples = INIT_SHELLS.map((shell) => loadInstruction(shell, '<%= config.bin %>'));
  static override args = {
    shell: Args.string({ description: 'Shell to print the code for', options: [...INIT_SHELLS], required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(ShellInit);
    process.stdout.write(shellInitScript(args.shell as InitShell, this.config.bin));
  }
}
