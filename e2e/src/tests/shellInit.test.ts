import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ptyAvailable, runInPty } from '@awsvault/core/testing';
import type { CreatedMfaDevice, CreatedUser } from '../emulator/state.js';
import { awsBin, vaultBin } from '../helpers/paths.js';
import { run, type RunResult } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

/** nushell comes from the @nushell/linux-x64 devDependency of e2e. */
const nuBin = join(dirname(createRequire(import.meta.url).resolve('@nushell/linux-x64/package.json')), 'bin', 'nu');
const tracer = fileURLToPath(import.meta.resolve('@awsvault/core/testing/traceImports'));

type Snaps = Map<string, Record<string, string | undefined>>;
const WATCHED = ['AWS_VAULT', 'AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_CREDENTIAL_EXPIRATION', 'VAULT_EXPIRES_AT'];

describe('vault shell-init: use, refresh and .vault-profile in real shells', () => {
  let s: Scenario;
  let bob: CreatedUser;
  let carol: CreatedUser;
  let device: CreatedMfaDevice;
  let env: Record<string, string>;
  let snapScript: string;

  before(async () => {
    s = await startScenario();
    bob = s.emulator.state.createUser('bob');
    carol = s.emulator.state.createUser('carol');
    device = s.emulator.state.createMfaDevice(carol.userName);
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n[profile prod]\nregion = eu-west-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[profile mfa]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\nmfa_serial = ${device.serialNumber}\n`,
    );
    for (const [name, user] of [['prod', bob], ['mfa', carol]] as const) {
      const added = await s.vault(['add', '--env', name], { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey });
      assert.equal(added.code, 0, added.stderr);
    }
    // `vault` on PATH is the built CLI itself (a link to bin/run.js), as npm installs it
    const bin = join(s.home.dir, 'bin');
    mkdirSync(bin);
    symlinkSync(vaultBin, join(bin, 'vault'));
    snapScript = join(s.home.dir, 'snap.mjs');
    writeFileSync(snapScript, `const pick = {}; for (const k of ${JSON.stringify(WATCHED)}) pick[k] = process.env[k];\nconsole.log('ENV ' + process.argv[2] + ' ' + JSON.stringify(pick));\n`);
    env = { ...s.home.env, PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin` };
  });
  after(() => s.close());

  const arnOf = (user: CreatedUser) => `arn:aws:iam::${user.accountId}:user/${user.userName}`;
  const identity = () => `${awsBin} sts get-caller-identity --endpoint-url ${s.emulator.url} --query Arn --output text`;
  const snap = (label: string) => `${process.execPath} ${snapScript} ${label}`;
  const snaps = (r: RunResult): Snaps => {
    const out: Snaps = new Map();
    for (const line of r.stdout.split('\n')) {
      const m = /^ENV (\S+) (.*)$/.exec(line);
      if (m) out.set(m[1] as string, JSON.parse(m[2] as string));
    }
    return out;
  };
  const arns = (r: RunResult) => r.stdout.split('\n').filter((line) => line.startsWith('arn:aws:'));
  const statuses = (r: RunResult) => Object.fromEntries([...r.stdout.matchAll(/^RC (\S+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));

  /** The shells that run a script given with -c, with their syntax for the last status and loading shell-init. */
  const posixLike = {
    bash: { argv: ['bash', '--noprofile', '--norc', '-c'], init: 'eval "$(vault shell-init bash)"', rc: '$?' },
    zsh: { argv: ['zsh', '-f', '-c'], init: 'eval "$(vault shell-init zsh)"', rc: '$?' },
    fish: { argv: ['fish', '--no-config', '-c'], init: 'vault shell-init fish | source', rc: '$status' },
  } as const;
  const shellRun = (shell: keyof typeof posixLike, lines: string[], extra: Record<string, string> = {}) => {
    const { argv, init } = posixLike[shell];
    return run(argv[0], [...argv.slice(1), [init, ...lines].join('\n')], { ...env, ...extra });
  };

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const rc = (label: string) => `echo "RC ${label} ${posixLike[shell].rc}"`;

    it(`${shell}: use switches the identity aws sees, a failed use keeps the old env, --unset clears`, async () => {
      const r = await shellRun(shell, [
        'vault use dev', rc('dev'), snap('dev'), identity(),
        'vault use prod', rc('prod'), snap('prod'), identity(),
        'vault use nope', rc('nope'), snap('nope'),
        'vault use --unset', rc('unset'), snap('unset'),
        'vault list --profiles >/dev/null', rc('passthrough'),
      ]);
      assert.deepEqual(statuses(r), { dev: 0, prod: 0, nope: 1, unset: 0, passthrough: 0 }, r.stderr);
      assert.deepEqual(arns(r), [arnOf(s.user), arnOf(bob)]);
      const e = snaps(r);
      assert.equal(e.get('dev')?.AWS_VAULT, 'dev');
      assert.equal(e.get('dev')?.AWS_REGION, 'us-east-1');
      const expiresAt = Number(e.get('dev')?.VAULT_EXPIRES_AT);
      assert.equal(expiresAt * 1000, Date.parse(e.get('dev')?.AWS_CREDENTIAL_EXPIRATION ?? ''), 'VAULT_EXPIRES_AT is the expiry in epoch seconds');
      assert.equal(e.get('prod')?.AWS_VAULT, 'prod');
      assert.equal(e.get('prod')?.AWS_REGION, 'eu-west-1');
      assert.deepEqual(e.get('nope'), e.get('prod'), 'a failed use leaves the environment as it was');
      assert.match(r.stderr, /profile nope not found/);
      assert.deepEqual(Object.values(e.get('unset') ?? { x: 1 }).filter((v) => v !== undefined), []);
    });

    it(`${shell}: the refresh hook renews credentials inside the window, then backs off`, async () => {
      const r = await shellRun(shell, ['vault use dev', snap('r0'), '__vault_hook', snap('r1'), '__vault_hook', snap('r2'), identity()], { VAULT_REFRESH_WINDOW: '2h' });
      const e = snaps(r);
      assert.equal(r.code, 0, r.stderr);
      assert.match(e.get('r0')?.AWS_ACCESS_KEY_ID ?? '', /^ASIA/);
      assert.notEqual(e.get('r1')?.AWS_ACCESS_KEY_ID, e.get('r0')?.AWS_ACCESS_KEY_ID, 'renewed: 1h credentials are inside a 2h window');
      assert.equal(e.get('r1')?.AWS_VAULT, 'dev');
      assert.deepEqual(e.get('r2'), e.get('r1'), 'no second renewal before one window has passed');
      assert.deepEqual(arns(r), [arnOf(s.user)], 'the renewed credentials work');
      assert.equal(r.stderr, '', 'a silent renewal prints nothing');
    });
  }

  for (const shell of ['bash', 'fish'] as const) {
    it(`${shell}: when renewal needs an MFA code the hook says so once and changes nothing`, async () => {
      s.emulator.state.advanceClock(30_000);
      const r = await shellRun(shell, [`vault use mfa -t ${device.code()}`, snap('m0'), '__vault_hook', snap('m1'), '__vault_hook', snap('m2')], {
        VAULT_REFRESH_WINDOW: '7200', VAULT_NON_INTERACTIVE: '1',
      });
      const e = snaps(r);
      assert.equal(e.get('m0')?.AWS_VAULT, 'mfa', r.stderr);
      assert.deepEqual(e.get('m1'), e.get('m0'));
      assert.deepEqual(e.get('m2'), e.get('m0'));
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', /^vault: credentials for mfa expire in (5\d|6[0-2])m; run `vault use mfa`$/);
    });
  }

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
  it(`${shell}: .vault-profile: untrusted says so once, vault allow uses it, leaving restores the previous profile`, async () => {
    const proj = join(s.home.dir, `proj-${shell}`);
    mkdirSync(join(proj, 'sub'), { recursive: true });
    writeFileSync(join(proj, '.vault-profile'), 'dev\n');
    const r = await shellRun(shell, [
      'vault use prod', snap('before'),
      `cd ${proj}/sub`, '__vault_hook', snap('untrusted'), 'cd ..', '__vault_hook',
      'vault allow', '__vault_hook', snap('allowed'), identity(),
      'cd sub', '__vault_hook', snap('sub'),
      'cd /', '__vault_hook', snap('left'),
      `cd ${proj}`, '__vault_hook', 'vault use --unset', 'cd /', '__vault_hook', snap('left2'),
    ]);
    const e = snaps(r);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split('\n').filter((line) => line.includes('is not trusted'));
    assert.deepEqual(warnings, [`vault: ${proj}/.vault-profile is not trusted; run \`vault allow\` to use profile dev`]);
    assert.deepEqual(e.get('untrusted'), e.get('before'));
    assert.equal(e.get('allowed')?.AWS_VAULT, 'dev');
    assert.deepEqual(arns(r), [arnOf(s.user)]);
    assert.deepEqual(e.get('sub'), e.get('allowed'), 'moving inside the tree changes nothing');
    assert.deepEqual(e.get('left'), e.get('before'), 'leaving the tree puts the previous profile back');
    assert.deepEqual(e.get('left2'), e.get('before'), 'whatever was done inside the tree');
    const list = join(s.home.env['XDG_CONFIG_HOME'] as string, 'vault', 'trusted-dirs.json');
    assert.equal(statSync(list).mode & 0o777, 0o600);
    assert.ok(JSON.parse(readFileSync(list, 'utf8')).files[join(proj, '.vault-profile')]);

    // an edited file is no longer trusted; deny removes it
    writeFileSync(join(proj, '.vault-profile'), 'prod\n');
    const edited = await run(process.execPath, [vaultBin, '__dir-profile', join(proj, 'sub')], env);
    assert.equal(edited.stdout.split('\n')[0], 'warn');
    writeFileSync(join(proj, '.vault-profile'), 'dev\n');
    assert.equal((await run(process.execPath, [vaultBin, '__dir-profile', proj], env)).stdout.split('\n')[0], 'use');
    assert.equal((await s.vault(['deny', proj])).code, 0);
    assert.equal((await run(process.execPath, [vaultBin, '__dir-profile', proj], env)).stdout.split('\n')[0], 'warn');
  });
  }

  it('nu: use loads the export with load-env, switches, keeps the env on failure, unsets, and the hook renews', async () => {
    const init = join(s.home.dir, 'vault.nu');
    writeFileSync(init, (await run(process.execPath, [vaultBin, 'shell-init', 'nu'], env)).stdout);
    const script = [
      `source ${init}`,
      'vault use dev', `^${snap('dev')}`, `^${identity()}`,
      'vault use prod', `^${snap('prod')}`, `^${identity()}`,
      'try { vault use nope } catch { print "RC nope 1" }', `^${snap('nope')}`,
      '$env.VAULT_REFRESH_WINDOW = "2h"', '__vault_hook', `^${snap('renewed')}`, '__vault_hook', `^${snap('again')}`,
      'vault use --unset', `^${snap('unset')}`,
    ].join('\n');
    const r = await run(nuBin, ['--no-config-file', '-c', script], env);
    const e = snaps(r);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(arns(r), [arnOf(s.user), arnOf(bob)]);
    assert.equal(e.get('dev')?.AWS_VAULT, 'dev');
    assert.equal(e.get('prod')?.AWS_REGION, 'eu-west-1');
    assert.equal(Number(e.get('dev')?.VAULT_EXPIRES_AT) * 1000, Date.parse(e.get('dev')?.AWS_CREDENTIAL_EXPIRATION ?? ''));
    assert.equal(statuses(r)['nope'], 1);
    assert.deepEqual(e.get('nope'), e.get('prod'));
    assert.notEqual(e.get('renewed')?.AWS_ACCESS_KEY_ID, e.get('prod')?.AWS_ACCESS_KEY_ID);
    assert.equal(e.get('renewed')?.AWS_VAULT, 'prod');
    assert.deepEqual(e.get('again'), e.get('renewed'));
    assert.deepEqual(Object.values(e.get('unset') ?? { x: 1 }).filter((v) => v !== undefined), []);
  });

  it('vault use without the shell function is a one-line hint and exit 1', async () => {
    const r = await run(process.execPath, [vaultBin, 'use', 'dev'], { ...env, SHELL: '/usr/bin/fish' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'vault: error: vault use changes the current shell and needs the vault shell function (add `vault shell-init fish | source` to your shell\'s startup file, then open a new shell)\n');
  });

  for (const shell of ['bash', 'zsh'] as const) {
    it(`${shell} as an interactive shell on a terminal: the prompt hook applies .vault-profile and renews`, { skip: !ptyAvailable() && 'no python3 pty' }, async () => {
      const proj = join(s.home.dir, `tty-${shell}`);
      mkdirSync(proj, { recursive: true });
      writeFileSync(join(proj, '.vault-profile'), 'prod\n');
      const rcDir = join(s.home.dir, `rc-${shell}`);
      mkdirSync(rcDir, { recursive: true });
      const rcFile = join(rcDir, shell === 'bash' ? 'bashrc' : '.zshrc');
      writeFileSync(rcFile, `${shell === 'bash' ? "PS1='READY> '" : "PROMPT='READY> '; unsetopt PROMPT_SP"}\neval "$(vault shell-init ${shell})"\n`);
      const start = shell === 'bash' ? `exec bash --noprofile --rcfile ${rcFile} -i` : `ZDOTDIR=${rcDir} exec zsh -i`;
      // the pty driver gives stdin /dev/null: the shell reads the terminal itself
      const wrapper = Object.entries(env).map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`).join(' ');
      const p = await runInPty(['sh', '-c', `export ${wrapper}; ${start} </dev/tty >/dev/tty 2>&1`], [
        { waitFor: 'READY> ', send: `cd ${proj}\r` },
        { waitFor: 'is not trusted', send: 'vault allow\r' },
        { waitFor: 'vault: allowed' },
        { waitFor: 'READY> ', send: 'echo "P=$AWS_VAULT"X K1=$AWS_ACCESS_KEY_ID; export VAULT_REFRESH_WINDOW=2h\r' },
        { waitFor: 'P=prodX', send: 'echo K2=$AWS_ACCESS_KEY_ID; echo D$((40+2))\r' },
        { waitFor: 'D42', send: `${identity()}\r` },
        { waitFor: 'arn:aws:iam', send: 'cd /; echo "Q=${AWS_VAULT-none}"Z\r' },
        { waitFor: 'READY> ', send: 'echo "Q=${AWS_VAULT-none}"Z; exit\r' },
      ], 45_000);
      const t = p.transcript.replace(/\r/g, '');
      assert.equal(p.timedOut, false, t);
      assert.match(t, new RegExp(`${arnOf(bob)}`));
      const k1 = /K1=(ASIA\w+)/.exec(t)?.[1];
      const k2 = /K2=(ASIA\w+)/.exec(t)?.[1];
      assert.ok(k1 && k2 && k1 !== k2, `renewed at the prompt: ${k1} -> ${k2}`);
      assert.match(t, /Q=noneZ/, 'leaving the tree at the next prompt unset what it set');
    });
  }
});

describe('export --format nu and cmd', () => {
  let s: Scenario;
  before(async () => {
    s = await startScenario();
    assert.equal((await s.vault(['export', 'dev'])).code, 0);
  });
  after(() => s.close());

  for (const format of ['nu', 'cmd']) {
    it(`${format}: the fast path answers, with what oclif prints`, async () => {
      const trace = join(s.home.dir, `trace-${format}.txt`);
      const fast = await run(process.execPath, ['--import', tracer, vaultBin, 'export', `--format=${format}`, 'dev'], { ...s.home.env, VAULT_TRACE_IMPORTS: trace });
      const full = await s.vault(['export', `--format=${format}`, 'dev'], { VAULT_NO_FAST_PATH: '1' });
      assert.equal(fast.code, 0, fast.stderr);
      assert.equal(fast.stdout, full.stdout);
      const loaded = readFileSync(trace, 'utf8');
      assert.match(loaded, /fastBundle\/runFastPath\.js/);
      assert.doesNotMatch(loaded, /@oclif/);
    });
  }

  it('nu: the output is nushell that load-env accepts', async () => {
    const out = (await s.vault(['export', '--format=nu', 'dev'])).stdout;
    const r = await run(nuBin, ['--no-config-file', '-c', `${out}\nprint $env.AWS_REGION; print ($env.AWS_ACCESS_KEY_ID | str substring 0..3)`], s.home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'us-east-1\nASIA\n');
  });
});
