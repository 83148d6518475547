import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bashQuote } from './bash.js';
import { fishQuote } from './fish.js';
import { buildModel, type CommandLike } from './model.js';
import { powershellSpec } from './powershell.js';
import { completionScript, installInstructions, SHELLS } from './scripts.js';

const commands: CommandLike[] = [
  { id: 'exec', summary: "Run it's command", strict: false, args: { profile: { name: 'profile' } }, flags: { backend: { name: 'backend', type: 'option', description: 'Secret "backend"' } } },
  { id: 'export', args: { profile: {} }, flags: { format: { name: 'format', type: 'option', options: ['env', 'json'] } } },
  { id: 'plugins:install', aliases: ['plugins:add'], summary: 'Installs a plugin: $(rm -rf /)' },
];
const model = buildModel('vault', commands);

function hasShell(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}

describe('completion scripts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-scripts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [shell, check] of [['bash', ['-n']], ['zsh', ['-n']], ['fish', ['--no-execute']]] as const) {
    it(`${shell}: the script parses`, { skip: !hasShell(shell) && `${shell} is not installed` }, () => {
      const file = join(dir, `script.${shell}`);
      writeFileSync(file, completionScript(shell, model, '1.2.3'));
      const result = spawnSync(shell, [...check, file], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
    });
  }

  it('every script names the version, calls __complete and registers for the bin', () => {
    for (const shell of SHELLS) {
      const script = completionScript(shell, model, '1.2.3');
      assert.match(script, /vault 1\.2\.3/, shell);
      assert.match(script, /__complete/, shell);
    }
    assert.match(completionScript('bash', model, '1'), /^complete -F _vault vault$/m);
    assert.match(completionScript('zsh', model, '1'), /^#compdef vault$/m);
    assert.match(completionScript('fish', model, '1'), /^complete -c vault -f -a '\(__vault_complete\)'$/m);
  });

  it('quotes descriptions so that nothing in them runs', () => {
    assert.equal(bashQuote("it's"), `'it'\\''s'`);
    assert.equal(fishQuote("it's a \\"), `'it\\'s a \\\\'`);
    const marker = join(dir, 'ran');
    const hostile = buildModel('vault', [{ id: 'plugins:install', summary: `Installs: $(touch ${marker}) \`touch ${marker}\` it's` }]);
    const runs: Array<[string, string[], string]> = [
      ['bash', ['-c', 'complete() { :; }; source "$0"; _vault_children plugins; printf "%s\\n" "${_vault_reply[@]}"'], 'install'],
      ['zsh', ['-fc', 'compdef() { :; }; source "$0"; _vault_children plugins; print -rl -- $reply'], `install:Installs: $(touch ${marker})`],
      ['fish', ['-c', 'function complete; end; source $argv[1]; __vault_children plugins', '--'], `install\tInstalls: $(touch ${marker}) \`touch ${marker}\` it's`],
    ];
    for (const [shell, args, expected] of runs) {
      if (!hasShell(shell)) continue;
      const file = join(dir, `hostile.${shell}`);
      writeFileSync(file, completionScript(shell as 'bash' | 'zsh' | 'fish', hostile, '1'));
      const result = spawnSync(shell, shell === 'fish' ? [...args, file] : [...args, file], { encoding: 'utf8' });
      assert.equal(result.status, 0, `${shell}: ${result.stderr}`);
      assert.ok(result.stdout.startsWith(expected), `${shell}: ${result.stdout}`);
      assert.equal(existsSync(marker), false, `${shell} ran a command from a summary`);
    }
  });

  it('the install help covers every shell', () => {
    const help = installInstructions('vault');
    for (const line of ['completions/vault', '~/.zfunc/_vault', '~/.config/fish/completions/vault.fish', 'Invoke-Expression']) assert.ok(help.includes(line), line);
  });
});

// PowerShell is not packaged in Debian, so its script is checked as text only; bash, zsh and fish
// scripts run in the real shells in e2e/src/tests/completion.test.ts.
describe('the PowerShell script (text only)', () => {
  const script = completionScript('powershell', model, '1.2.3');

  it('registers a native argument completer for the bin', () => {
    assert.match(script, /^Register-ArgumentCompleter -Native -CommandName 'vault' -ScriptBlock \{$/m);
    assert.match(script, /param\(\$wordToComplete, \$commandAst, \$cursorPosition\)/);
  });

  it('embeds the model as one line of JSON in a single-quoted here-string', () => {
    const match = /\$spec = @'\n(.*)\n'@ \| ConvertFrom-Json/.exec(script);
    assert.ok(match, 'here-string');
    const spec = JSON.parse(match[1] as string) as { children: Record<string, Array<[string, string]>>; commands: Record<string, { values: Record<string, string>; args: string[]; pass: boolean }> };
    assert.equal(match[1], powershellSpec(model));
    assert.deepEqual(spec.children['.']?.map(([word]) => word), ['exec', 'export', 'plugins']);
    assert.deepEqual(spec.children['plugins']?.map(([word]) => word), ['add', 'install']);
    assert.equal(spec.commands['exec']?.values['--backend'], 'backends');
    assert.deepEqual(spec.commands['exec']?.args, ['profiles']);
    assert.equal(spec.commands['exec']?.pass, true);
    assert.equal(spec.commands['export']?.values['--format'], 'options:env,json');
    assert.ok(!Object.keys(spec.children).includes(''), 'no empty keys (Windows PowerShell cannot read them)');
  });

  it('asks vault for dynamic values and hands the rest of an exec line to TabExpansion2', () => {
    assert.match(script, /& \$bin __complete \$kind 2>\$null/);
    assert.match(script, /TabExpansion2 -inputScript \$rest -cursorColumn \$rest\.Length/);
    assert.match(script, /\[System\.Management\.Automation\.CompletionResult\]::new\(/);
  });

  it('has balanced braces, parentheses and brackets outside strings and comments', () => {
    const code = withoutStringsAndComments(script.replace(/@'\n.*\n'@/, "''"));
    for (const [open, close] of [['{', '}'], ['(', ')'], ['[', ']']] as const) {
      assert.equal(code.split(open).length, code.split(close).length, `${open}${close} balanced`);
    }
  });
});

/** PowerShell code with '...' ('' inside), "..." (` escapes) and # comments blanked. */
function withoutStringsAndComments(code: string): string {
  let out = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === "'") {
      let j = i + 1;
      while (j < code.length && !(code[j] === "'" && code[j + 1] !== "'")) j += code[j] === "'" ? 2 : 1;
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      while (j < code.length && code[j] !== '"') j += code[j] === '`' ? 2 : 1;
      i = j;
    } else if (c === '#') {
      while (i < code.length && code[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}
