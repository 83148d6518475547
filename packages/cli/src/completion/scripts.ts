import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import type { CompletionModel } from './model.js';
import { powershellScript } from './powershell.js';
import { zshScript } from './zsh.js';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, model: CompletionModel, version: string): string {
  switch (shell) {
    case 'bash':
      return bashScript(model, version);
    case 'zsh':
      return zshScript(model, version);
    case 'fish':
      return fishScript(model, version);
    case 'powershell':
      return powershellScript(model, version);
  }
}

/** How to load the script from each shell's startup files, for `vault completion --help`. */
export function installInstructions(bin: string): string {
  return `Prints a completion script for the shell. Besides commands and flags it completes profile names (from AWS_CONFIG_FILE or ~/.aws/config), backend and prompt names (including plugins you installed), export formats, and after \`${bin} exec <profile> --\` the command you run, as your shell would.

Install it once, in one of these ways:

bash (with the bash-completion package, which loads the file on demand):
$ ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}
or add this line to ~/.bashrc: eval "$(${bin} completion bash)"

zsh (a file named _${bin} in a directory of $fpath, e.g. ~/.zfunc with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc):
$ ${bin} completion zsh > ~/.zfunc/_${bin}
or add this line to ~/.zshrc, after compinit: source <(${bin} completion zsh)

fish:
$ ${bin} completion fish > ~/.config/fish/completions/${bin}.fish

PowerShell (add this line to the file $PROFILE names):
${bin} completion powershell | Out-String | Invoke-Expression

Run the command again after \`${bin} plugins install\` adds commands (or use the eval/source form, which regenerates the script when the shell starts). Backend and prompt names need no regeneration: they are cached in the cache directory and refreshed whenever plugins change.`;
}
