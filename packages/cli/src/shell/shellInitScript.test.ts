import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { needsShellInit } from './needsShellInit.js';
import { currentShell, INIT_SHELLS, shellInitScript } from './shellInitScript.js';

describe('shellInitScript', () => {
  for (const [shell, argv] of [['bash', ['bash', '-n']], ['zsh', ['zsh', '-n']], ['fish', ['fish', '-n']]] as const) {
    it(`${shell}: the code parses`, { skip: spawnSync(argv[0], ['-c', 'true']).status !== 0 && `${argv[0]} is not installed` }, () => {
      const r = spawnSync(argv[0], [...argv.slice(1), '-c', shellInitScript(shell, 'vault')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    });
  }

  it('every shell passes other subcommands to the program and asks it for .vault-profile', () => {
    for (const shell of INIT_SHELLS) {
      const code = shellInitScript(shell, 'vault');
      assert.match(code, /__dir-profile/, shell);
      assert.match(code, /VAULT_NON_INTERACTIVE/, shell);
      assert.match(code, /VAULT_REFRESH_WINDOW/, shell);
    }
  });

  it('the prompt hooks of bash and zsh run no program when there is nothing to do', () => {
    for (const shell of ['bash', 'zsh'] as const) {
      const code = shellInitScript(shell, 'vault');
      const hook = code.slice(code.indexOf('__vault_hook() {'), code.indexOf('\n}\n', code.indexOf('__vault_hook() {')));
      assert.doesNotMatch(hook, /\$\(|`/, 'no command substitution in the hook itself');
    }
  });

  it('a bare `vault use` names the load line of the user\'s shell', () => {
    assert.equal(currentShell({ SHELL: '/usr/bin/zsh' }), 'zsh');
    assert.equal(currentShell({ PSModulePath: 'C:\\x' }), 'pwsh');
    assert.equal(currentShell({}), 'bash');
    assert.match(needsShellInit('vault', 'use', { SHELL: '/bin/bash' }).hint ?? '', /eval "\$\(vault shell-init bash\)"/);
  });
});
