import { posixScript } from './posixShell.js';

/** `vault shell-init zsh`: the shared POSIX code, with zsh/datetime's clock, (P) indirection and precmd. */
export function zshInit(bin: string): string {
  return posixScript({
    shell: 'zsh',
    prologue: 'emulate -L zsh',
    now: '__vault_now=$EPOCHSECONDS',
    readByName: 'if (( ${+parameters[$__vault_n]} )); then __vault_isset=1; __vault_v=${(P)__vault_n}; else __vault_isset=; fi',
    quote: '__vault_q=${(qq)__vault_v}',
    install: `zmodload zsh/datetime zsh/parameter
autoload -Uz add-zsh-hook
add-zsh-hook precmd __vault_hook`,
  }, bin);
}
