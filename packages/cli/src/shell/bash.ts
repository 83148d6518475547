import { posixScript } from './posixShell.js';

/** `vault shell-init bash`: the shared POSIX code, with bash's clock, indirection and PROMPT_COMMAND. */
export function bashInit(bin: string): string {
  return posixScript({
    shell: 'bash',
    prologue: '',
    // EPOCHSECONDS from bash 5, printf's %(…)T from 4.2; only older bash (macOS's 3.2) runs date
    now: `if [ -n "\${EPOCHSECONDS-}" ]; then __vault_now=$EPOCHSECONDS; else printf -v __vault_now '%(%s)T' -1 2>/dev/null || __vault_now=$(date +%s); fi`,
    readByName: `if [ -n "\${!__vault_n+x}" ]; then __vault_isset=1; __vault_v=\${!__vault_n}; else __vault_isset=; fi`,
    quote: `printf -v __vault_q '%q' "$__vault_v"`,
    install: `case ";\${PROMPT_COMMAND-};" in
  *";__vault_hook;"*) ;;
  *) PROMPT_COMMAND="__vault_hook;\${PROMPT_COMMAND-}" ;;
esac`,
  }, bin);
}
