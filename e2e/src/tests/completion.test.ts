import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { vaultBin } from '../helpers/paths.js';
import { run, runVault } from '../helpers/run.js';
import { tempHome, type TempHome } from '../helpers/tempHome.js';

// Completion as users get it: the script `vault completion <shell>` prints, loaded into Debian's
// bash (with bash-completion), zsh and fish, asked for candidates through each shell's own
// completion machinery, with `vault` on PATH and a user-installed (linked) plugin that adds a
// backend and a prompt. PowerShell is not in Debian: its script is checked as text in
// packages/cli/src/completion/scripts.test.ts.

const tracer = fileURLToPath(import.meta.resolve('@awsvault/core/testing/traceImports'));
const PROFILES = ['dev', 'prod', 'staging'];
const FORMATS = ['cmd', 'dotenv', 'env', 'export-env', 'fish', 'ini', 'json', 'nu', 'powershell'];
const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

function installed(program: string): boolean {
  return spawnSync(program, ['-c', 'exit 0']).status === 0;
}
const missing = SHELLS.filter((shell) => !installed(shell));
const bashCompletion = '/usr/share/bash-completion/bash_completion';

/** A local-folder plugin linked the way `vault plugins link` records it, with a backend and a prompt hook. */
function linkFakePlugin(home: TempHome, name: string, backend: string, prompt: string): string {
  const root = join(home.dir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', type: 'module', oclif: { hooks: { 'vault:backend': './backend.js', 'vault:prompt': './prompt.js' } } }),
  );
  writeFileSync(
    join(root, 'backend.js'),
    `export default async () => ({ kind: 'backend', name: ${JSON.stringify(backend)}, isAvailable: (ctx) => { ctx.debug('${backend}: not available: no fake device attached'); return false; }, open: async () => { throw new Error('fake'); } });\n`,
  );
  writeFileSync(join(root, 'prompt.js'), `export default async () => ({ kind: 'prompt', name: ${JSON.stringify(prompt)}, prompt: async () => '123456' });\n`);
  const dataDir = join(home.env['XDG_DATA_HOME'] as string, 'vault');
  const pjsonPath = join(dataDir, 'package.json');
  mkdirSync(dataDir, { recursive: true });
  const pjson = existsSync(pjsonPath) ? (JSON.parse(readFileSync(pjsonPath, 'utf8')) as { oclif: { plugins: unknown[] } }) : { private: true, oclif: { schema: 1, plugins: [] as unknown[] }, dependencies: {} };
  pjson.oclif.plugins.push({ name, type: 'link', root });
  writeFileSync(pjsonPath, JSON.stringify(pjson, null, 2));
  return root;
}

/** COMP_WORDS as readline splits a line: at blanks, and around the `=` and `:` of COMP_WORDBREAKS. */
function compWords(line: string): string[] {
  const words = line.split(/\s+/).flatMap((token) => token.split(/([=:])/).filter((part) => part !== ''));
  if (/\s$/.test(line)) words.push('');
  return words;
}

const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const END = '@@END@@';

interface Case {
  line: string;
  /** Exactly these candidates (sorted, deduplicated)... */
  equal?: string[];
  /** ...or at least these... */
  includes?: string[];
  /** ...and none of these. */
  excludes?: string[];
}

/** Expected candidates per shell: fish completes `--flag=value` as the whole token, bash and zsh the value. */
function cases(shell: Shell): Case[] {
  const whole = (flag: string, values: string[]) => (shell === 'fish' ? values.map((v) => `${flag}=${v}`) : values);
  return [
    { line: 'vault ', includes: ['completion', 'doctor', 'exec', 'export', 'list', 'ls', 'login', 'migrate-backend', 'plugins', 'remove', 'rm', 'rotate'], excludes: ['__complete', 'autocomplete:create', 'create'] },
    { line: 'vault ex', equal: ['exec', 'export'] },
    { line: 'vault exec ', equal: PROFILES },
    { line: 'vault exec s', equal: ['staging'] },
    { line: 'vault export ', equal: PROFILES },
    { line: 'vault login ', equal: PROFILES },
    { line: 'vault remove ', equal: PROFILES },
    { line: 'vault rm ', equal: PROFILES },
    { line: 'vault rotate ', equal: PROFILES },
    { line: 'vault clear ', equal: PROFILES },
    { line: 'vault add ', equal: PROFILES },
    { line: 'vault exec --backend file p', equal: ['prod'] },
    { line: 'vault migrate-backend --profile ', equal: PROFILES },
    { line: 'vault export --format ', equal: FORMATS },
    { line: 'vault export --format=j', equal: whole('--format', ['json']) },
    { line: 'vault export --format=', equal: whole('--format', FORMATS) },
    { line: 'vault exec --backend ', includes: ['fakevault', 'file', 'secret-service'] },
    { line: 'vault migrate-backend --from ', includes: ['fakevault', 'file'] },
    { line: 'vault migrate-backend --to f', includes: ['fakevault', 'file'] },
    { line: 'vault export --prompt ', includes: ['fakeprompt', 'terminal'] },
    { line: 'vault exec --no-s', equal: ['--no-session'] },
    { line: 'vault export --f', includes: ['--file-dir', '--format'], excludes: ['--no-session'] },
    { line: 'vault plugins in', equal: ['inspect', 'install'] },
    { line: 'vault completion ', equal: ['bash', 'fish', 'powershell', 'zsh'] },
    { line: 'vault exec dev -- mycmd ', equal: ['alpha', 'beta'] },
    { line: 'vault exec --no-session dev -- mycmd b', equal: ['beta'] },
    { line: 'vault exec dev -- ech', includes: ['echo'] },
    // Global flags before the command, as aws-vault takes them.
    { line: 'vault --debug ex', equal: ['exec', 'export'] },
    { line: 'vault --backend ', includes: ['fakevault', 'file'] },
    { line: 'vault --backend file --debug exec ', equal: PROFILES },
    { line: 'vault --backend=file export --format ', equal: FORMATS },
    { line: 'vault --b', equal: ['--backend'] },
    // Directories for --file-dir (each shell words a path candidate its own way).
    { line: 'vault exec --file-dir /us', equal: [{ bash: '/usr', zsh: 'usr', fish: '/usr/' }[shell]] },
  ];
}

describe('shell completion', { skip: missing.length > 0 && `not installed: ${missing.join(', ')} (apt-get install -y bash-completion zsh fish)` }, () => {
  let home: TempHome;
  let env: Record<string, string>;
  const scripts = {} as Record<Shell, string>;

  before(async () => {
    home = tempHome();
    // Profiles in a config file at a path of its own: AWS_CONFIG_FILE is what is read.
    const config = join(home.dir, 'elsewhere', 'aws-config');
    mkdirSync(join(home.dir, 'elsewhere'));
    writeFileSync(config, '[profile dev]\nregion = us-east-1\n\n[profile prod]\nsource_profile = dev\n\n[sso-session corp]\nsso_region = eu-west-1\n\n[profile staging]\nregion = eu-west-1\n');
    writeFileSync(home.configFile, '[profile not-this-one]\n');
    const bin = join(home.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'vault'), `#!/bin/sh\nexec ${sq(process.execPath)} ${sq(vaultBin)} "$@"\n`);
    chmodSync(join(bin, 'vault'), 0o755);
    linkFakePlugin(home, 'vault-plugin-fake', 'fakevault', 'fakeprompt');
    env = { ...home.env, AWS_CONFIG_FILE: config, PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, TERM: 'dumb' };
    for (const shell of SHELLS) {
      const r = await runVault(['completion', shell], env);
      assert.equal(r.code, 0, r.stderr);
      scripts[shell] = join(home.dir, `vault.${shell}`);
      writeFileSync(scripts[shell], r.stdout);
    }
  });
  after(() => home.cleanup());

  function check(shell: Shell, results: string[][]): void {
    const all = cases(shell);
    assert.equal(results.length, all.length, `${shell}: one result per case`);
    all.forEach((c, index) => {
      const got = [...new Set(results[index])].sort();
      const label = `${shell}: ${JSON.stringify(c.line)} gave ${JSON.stringify(got)}`;
      if (c.equal) assert.deepEqual(got, [...c.equal].sort(), label);
      for (const word of c.includes ?? []) assert.ok(got.includes(word), `${label}, missing ${word}`);
      for (const word of c.excludes ?? []) assert.ok(!got.includes(word), `${label}, has ${word}`);
    });
  }

  it('bash (with bash-completion): the function `complete -p vault` names, called as readline calls it', { skip: !existsSync(bashCompletion) && 'bash-completion is not installed' }, () => {
    const lines = [`source ${bashCompletion}`, `source ${sq(scripts.bash)}`, 'complete -W "alpha beta" mycmd', 'fn=$(complete -p vault | sed -n "s/.*-F \\([^ ]*\\).*/\\1/p")', '[ -n "$fn" ] || exit 3'];
    for (const c of cases('bash')) {
      const words = compWords(c.line);
      lines.push(
        `COMP_LINE=${sq(c.line)}; COMP_POINT=${c.line.length}; COMP_WORDS=(${words.map(sq).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_TYPE=9; COMP_KEY=9; COMPREPLY=()`,
        `"$fn" vault ${sq(words.at(-1) ?? '')} ${sq(words.at(-2) ?? '')} 2>/dev/null`,
        `printf '%s\\n' "\${COMPREPLY[@]}"; echo ${END}`,
      );
    }
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', lines.join('\n')], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    check('bash', parseBlocks(r.stdout));
  });

  it('zsh (compinit, in a pty through zpty): what the completion system adds for a TAB', () => {
    const capture = join(home.dir, 'zsh-capture');
    const setup = join(home.dir, 'zsh-setup.zsh');
    writeFileSync(
      setup,
      [
        'unsetopt auto_list auto_menu list_beep; setopt no_beep',
        // Installed the way the help says: a _vault file in a directory of $fpath, before compinit.
        `fpath=(${sq(join(home.dir, 'zfunc'))} $fpath)`,
        `autoload -Uz compinit && compinit -u -d ${sq(join(home.dir, '.zcompdump'))}`,
        'mycmd() { :; }; _mycmd() { compadd alpha beta; }; compdef _mycmd mycmd',
        // Every candidate the completion functions add, appended to a file.
        'compadd() { local -a __m; if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi; builtin compadd -O __m "$@"; (( ${#__m} )) && print -rl -- $__m >> $CAPTURE; builtin compadd "$@"; }',
      ].join('\n'),
    );
    mkdirSync(join(home.dir, 'zfunc'));
    writeFileSync(join(home.dir, 'zfunc', '_vault'), readFileSync(scripts.zsh));
    const driver = join(home.dir, 'zsh-driver.zsh');
    writeFileSync(
      driver,
      [
        'zmodload zsh/zpty',
        "zpty z 'zsh -f -i'",
        `zpty -w z "source ${setup}; PS1='READ''Y> '"`,
        "zpty -r z out '*READY> '",
        'integer n=0 i ok',
        'for line in "$@"; do',
        '  (( n++ ))',
        '  : > $CAPTURE; rm -f $CAPTURE.done',
        '  zpty -w -n z "$line"$\'\\t\'',
        '  zpty -w -n z $\'\\C-u\'',
        '  zpty -w z "print -r $n > $CAPTURE.done"',
        '  ok=0',
        '  for i in {1..600}; do',
        '    while zpty -rt z chunk; do :; done',
        '    [[ -e $CAPTURE.done && $(<$CAPTURE.done) == $n ]] && { ok=1; break; }',
        '    sleep 0.05',
        '  done',
        '  (( ok )) || print -u2 "no prompt after completing ${(qq)line}"',
        `  cat $CAPTURE; print -r -- ${END}`,
        'done',
        'zpty -d z',
      ].join('\n'),
    );
    const r = spawnSync('zsh', ['-f', driver, ...cases('zsh').map((c) => c.line)], { env: { ...env, CAPTURE: capture }, encoding: 'utf8', timeout: 50_000 });
    assert.equal(r.status, 0, `${r.error?.message ?? ''} ${r.stderr}`);
    assert.equal(r.stderr, '');
    check('zsh', parseBlocks(r.stdout));
  });

  it('fish: complete -C, as fish completes a command line', () => {
    const body = [`source ${sq(scripts.fish)}`, "complete -c mycmd -f -a 'alpha beta'", `for line in $argv; complete -C "$line"; echo ${END}; end`].join('\n');
    const r = spawnSync('fish', ['--no-config', '-c', body, '--', ...cases('fish').map((c) => c.line)], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    check('fish', parseBlocks(r.stdout).map((block) => block.map((line) => line.split('\t')[0] as string)));
  });

  it('zsh also works when the script is sourced after compinit', () => {
    const body = [
      `autoload -Uz compinit && compinit -u -d ${sq(join(home.dir, '.zcompdump2'))}`,
      `source ${sq(scripts.zsh)}`,
      'print -r -- ${_comps[vault]}',
    ].join('\n');
    const r = spawnSync('zsh', ['-f', '-c', body], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '_vault');
  });

  describe('vault __complete', () => {
    const traced = async (args: string[], name: string) => {
      const trace = join(home.dir, `trace-${name}.txt`);
      const r = await run(process.execPath, ['--import', tracer, vaultBin, '__complete', ...args], { ...env, VAULT_TRACE_IMPORTS: trace });
      return { ...r, loaded: existsSync(trace) ? readFileSync(trace, 'utf8') : '' };
    };

    it('prints the profiles of AWS_CONFIG_FILE without loading oclif or the AWS SDK', async () => {
      const r = await traced(['profiles'], 'profiles');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split('\n').filter(Boolean), PROFILES);
      assert.match(r.loaded, /dist\/completion\/completeFast\.js/);
      assert.doesNotMatch(r.loaded, /@oclif|@aws-sdk|@smithy|openpgp|dbus-next/);
    });

    it('prints nothing, and no error, when the config does not parse', async () => {
      const broken = join(home.dir, 'broken-config');
      writeFileSync(broken, '[profile dev\n');
      const r = await runVault(['__complete', 'profiles'], { ...env, AWS_CONFIG_FILE: broken });
      assert.equal(r.code, 0);
      assert.equal(r.stdout + r.stderr, '');
    });

    it('caches backend and prompt names, and loads the plugins again only when they change', async () => {
      rmSync(join(home.env['XDG_CACHE_HOME'] as string, 'vault'), { recursive: true, force: true });
      const cold = await traced(['backends'], 'cold');
      assert.equal(cold.code, 0, cold.stderr);
      assert.ok(cold.stdout.split('\n').includes('fakevault'), cold.stdout);
      assert.match(cold.loaded, /@oclif\/core/, 'a cold cache loads the plugins through oclif');

      const warm = await traced(['prompts'], 'warm');
      assert.deepEqual(warm.stdout.split('\n').filter(Boolean).filter((name) => ['fakeprompt', 'terminal'].includes(name)), ['fakeprompt', 'terminal']);
      assert.doesNotMatch(warm.loaded, /@oclif|@aws-sdk|@smithy/, 'a warm cache loads nothing');

      // `vault plugins link` of a second plugin rewrites the data dir's package.json.
      linkFakePlugin(home, 'vault-plugin-other', 'otherstore', 'otherprompt');
      const changed = await traced(['backends'], 'changed');
      assert.ok(changed.stdout.split('\n').includes('otherstore'), changed.stdout);
      assert.match(changed.loaded, /@oclif\/core/);

      // A linked plugin's own package.json changing (a rebuild, a new version) also counts.
      const pjson = join(home.dir, 'vault-plugin-other', 'package.json');
      const later = new Date(Date.now() + 60_000);
      utimesSync(pjson, later, later);
      const touched = await traced(['backends'], 'touched');
      assert.match(touched.loaded, /@oclif\/core/);
      const again = await traced(['backends'], 'again');
      assert.doesNotMatch(again.loaded, /@oclif/);
    });

    it('vault completion fills the cache, so the first TAB loads no plugins', async () => {
      rmSync(join(home.env['XDG_CACHE_HOME'] as string, 'vault'), { recursive: true, force: true });
      const generated = await runVault(['completion', 'fish'], env);
      assert.equal(generated.code, 0, generated.stderr);
      const first = await traced(['backends'], 'after-completion');
      assert.ok(first.stdout.split('\n').includes('fakevault'), first.stdout);
      assert.doesNotMatch(first.loaded, /@oclif/);
    });

    it('rejects an unknown kind', async () => {
      const r = await runVault(['__complete', 'nope'], env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown kind/);
    });
  });
});

function parseBlocks(stdout: string): string[][] {
  const blocks = stdout.split(`${END}\n`);
  blocks.pop();
  return blocks.map((block) => block.split('\n').filter((line) => line !== ''));
}
