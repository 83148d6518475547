import { bashInit } from './bash.js';
import { fishInit } from './fish.js';
import { nuInit } from './nu.js';
import { pwshInit } from './pwsh.js';
import { zshInit } from './zsh.js';

export const INIT_SHELLS = ['bash', 'zsh', 'fish', 'pwsh', 'nu'] as const;
export type InitShell = (typeof INIT_SHELLS)[number];

/** The code `vault shell-init <shell>` prints. */
export function shellInitScript(shell: InitShell, bin: string): string {
  switch (shell) {
    case 'bash':
      return bashInit(bin);
    case 'zsh':
      return zshInit(bin);
    case 'fish':
      return fishInit(bin);
    case 'pwsh':
      return pwshInit(bin);
    case 'nu':
      return nuInit(bin);
  }
}

/** How each shell loads the code, for `--help`, the docs and the hint of a bare `vault use`. */
export function loadInstruction(shell: InitShell, bin: string): string {
  switch (shell) {
    case 'bash':
    case 'zsh':
      return `eval "$(${bin} shell-init ${shell})"`;
    case 'fish':
      return `${bin} shell-init fish | source`;
    case 'pwsh':
      return `${bin} shell-init pwsh | Out-String | Invoke-Expression`;
    case 'nu':
      return `${bin} shell-init nu | save -f ($nu.user-autoload-dirs | first | path join ${bin}.nu)`;
  }
}

/** The shell named by $SHELL (or PowerShell's PSModulePath), bash when unsure. */
export function currentShell(env: Readonly<Record<string, string | undefined>>): InitShell {
  const name = (env['SHELL'] ?? '').split(/[/\\]/).pop() ?? '';
  if (name === 'zsh' || name === 'fish' || name === 'nu' || name === 'bash') return name;
  if (name === 'pwsh' || name === 'powershell' || (!env['SHELL'] && env['PSModulePath'])) return 'pwsh';
  return 'bash';
}
