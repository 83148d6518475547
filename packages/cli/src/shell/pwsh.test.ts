import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pwshInit } from './pwsh.js';

// PowerShell is not installed on the machines that run these tests, so its code is checked as text;
// bash, zsh, fish and nu run for real in e2e/src/tests/shellInit.test.ts.
describe('shell-init pwsh (text only: no PowerShell here)', () => {
  const code = pwshInit('vault');

  it('defines the vault function, which sends everything but use/unuse/allow/deny to the program', () => {
    assert.match(code, /^function global:vault \{$/m);
    assert.match(code, /Get-Command -Name 'vault' -CommandType Application/);
    assert.match(code, /else \{ & \$global:__VaultExe @vaultArgs \}/);
  });

  it('use runs export --format=powershell with AWS_VAULT removed for the call and put back after', () => {
    assert.match(code, /\$hidden = @\('AWS_VAULT'\)/);
    assert.match(code, /& \$global:__VaultExe export --format=powershell \$ProfileName @Rest/);
    assert.match(code, /finally \{\s*foreach \(\$n in \$saved\.Keys\) \{ \[Environment\]::SetEnvironmentVariable\(\$n, \$saved\[\$n\]\) \}/);
    assert.match(code, /if \(\$rc -ne 0\) \{ \$global:LASTEXITCODE = \$rc; return \$false \}\s*\$text/, 'nothing changes before a successful export');
  });

  it('renews silently inside the window and wraps the existing prompt once', () => {
    assert.match(code, /\$env:VAULT_NON_INTERACTIVE = '1'/);
    assert.match(code, /\$out = \$null \| & \$global:__VaultExe export/);
    assert.match(code, /\[DateTimeOffset\]::UtcNow\.ToUnixTimeSeconds\(\)/);
    assert.match(code, /\$global:__VaultOriginalPrompt = \$function:prompt/);
    assert.match(code, /if \(-not \$global:__VaultPromptWrapped\)/);
    assert.match(code, /vault: credentials for \$profileName \$when; run `vault use \$profileName`/);
    assert.match(code, /& \$global:__VaultExe __dir-profile \$PWD\.ProviderPath/);
  });

  it('has balanced braces and parentheses', () => {
    const count = (c: string) => code.split(c).length - 1;
    assert.equal(count('{'), count('}'));
    assert.equal(count('('), count(')'));
  });
});
