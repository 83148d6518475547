import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { argValueKind, buildModel, cleanSummary, flagValueKind, kindWord, type CommandLike } from './model.js';

const commands: CommandLike[] = [
  {
    id: 'exec',
    summary: 'Execute a command with AWS credentials.',
    strict: false,
    args: { profile: { name: 'profile' } },
    flags: {
      backend: { name: 'backend', type: 'option', description: 'Secret backend to use' },
      prompt: { name: 'prompt', type: 'option' },
      'no-session': { name: 'no-session', type: 'boolean', char: 'n' },
      duration: { name: 'duration', type: 'option', char: 'd' },
      json: { name: 'json', type: 'boolean', char: 'j', hidden: true },
      'file-dir': { name: 'file-dir', type: 'option' },
    },
  },
  { id: 'export', args: { profile: { name: 'profile' } }, flags: { format: { name: 'format', type: 'option', options: ['env', 'json', 'bad value'] } } },
  { id: 'remove', aliases: ['rm'], args: { profile: {} }, flags: { 'key-wait': { name: 'key-wait', type: 'option', hidden: true } } },
  {
    id: 'migrate-backend',
    flags: {
      from: { name: 'from', type: 'option' },
      to: { name: 'to', type: 'option' },
      profile: { name: 'profile', type: 'option' },
      'delete-source': { name: 'delete-source', type: 'boolean', aliases: ['delete'] },
    },
  },
  { id: 'plugins', summary: 'List installed plugins.' },
  { id: 'plugins:install', aliases: ['plugins:add'], summary: 'Installs a plugin.', args: { plugin: { name: 'plugin' } } },
  { id: 'plugins:link', args: { path: { name: 'path' } } },
  { id: 'autocomplete:create', hidden: true },
  { id: 'weird id!' },
];

describe('buildModel', () => {
  const model = buildModel('vault', commands, [{ name: 'plugins', description: 'Manage plugins.' }]);

  it('lists top-level words, aliases included, hidden commands and unsafe ids left out', () => {
    assert.deepEqual(model.children.get('')?.map((c) => c.word), ['exec', 'export', 'migrate-backend', 'plugins', 'remove', 'rm']);
    assert.equal(model.commands.has('autocomplete:create'), false);
    assert.equal(model.commands.has('weird id!'), false);
  });

  it('lists the subcommands of a topic, with summaries', () => {
    assert.deepEqual(model.children.get('plugins'), [
      { word: 'add', summary: 'Installs a plugin' },
      { word: 'install', summary: 'Installs a plugin' },
      { word: 'link', summary: '' },
    ]);
    assert.equal(model.children.get('')?.find((c) => c.word === 'plugins')?.summary, 'List installed plugins');
  });

  it('gives aliases the flags and arguments of their command', () => {
    assert.deepEqual(model.commands.get('rm')?.args, [{ kind: 'profiles' }]);
    assert.equal(model.commands.get('rm')?.id, 'rm');
    assert.deepEqual(model.commands.get('plugins:add')?.args, [{ kind: 'files' }]);
  });

  it('knows which flags take values, and of what kind', () => {
    const exec = model.commands.get('exec');
    assert.ok(exec);
    const byName = new Map(exec.flags.map((flag) => [flag.name, flag]));
    assert.deepEqual(byName.get('backend')?.value, { kind: 'backends' });
    assert.deepEqual(byName.get('prompt')?.value, { kind: 'prompts' });
    assert.deepEqual(byName.get('duration')?.value, { kind: 'none' });
    assert.deepEqual(byName.get('file-dir')?.value, { kind: 'dirs' });
    assert.equal(byName.get('no-session')?.value, undefined);
    assert.deepEqual(byName.get('no-session')?.spellings, ['-n', '--no-session']);
    assert.deepEqual(byName.get('json')?.shown, [], 'hidden flags are not offered');
    assert.deepEqual(byName.get('json')?.spellings, ['-j', '--json'], 'but still parsed');
    assert.ok(byName.has('help'), 'every command takes --help');
    assert.equal(exec.passThrough, true);
    assert.deepEqual(exec.args, [{ kind: 'profiles' }]);
  });

  it('completes export formats from the flag options, dropping values a shell would need quoted', () => {
    const format = model.commands.get('export')?.flags.find((flag) => flag.name === 'format');
    assert.deepEqual(format?.value, { kind: 'options', options: ['env', 'json'] });
  });

  it('completes backends for migrate-backend --from/--to and profiles for its --profile', () => {
    const flags = new Map(model.commands.get('migrate-backend')?.flags.map((flag) => [flag.name, flag]));
    assert.deepEqual(flags.get('from')?.value, { kind: 'backends' });
    assert.deepEqual(flags.get('to')?.value, { kind: 'backends' });
    assert.deepEqual(flags.get('profile')?.value, { kind: 'profiles' });
    assert.deepEqual(flags.get('delete-source')?.spellings, ['--delete-source', '--delete']);
  });

  it('has root flags, and the global flags it is told of', () => {
    assert.deepEqual(model.rootFlags.map((flag) => flag.spellings[0]), ['--help', '--version']);
    const withGlobals = buildModel('vault', commands, [], ['backend', 'no-session', 'missing']);
    assert.deepEqual(withGlobals.rootFlags.map((flag) => `${flag.spellings.join('|')}=${flag.value?.kind ?? ''}`), ['--backend=backends', '--help=', '-n|--no-session=', '--version=']);
  });
});

describe('value kinds', () => {
  it('reads --from/--to as backends only for migrate-backend', () => {
    assert.deepEqual(flagValueKind('other', { name: 'from', type: 'option' }), { kind: 'none' });
    assert.deepEqual(flagValueKind('other', { name: 'backend', type: 'option' }), { kind: 'backends' });
    assert.deepEqual(flagValueKind('x', { name: 'pass-cmd', type: 'option' }), { kind: 'commands' });
    assert.deepEqual(flagValueKind('x', { name: 'token-file', type: 'option' }), { kind: 'files' });
    assert.deepEqual(flagValueKind('serve', { name: 'tls-cert', type: 'option' }), { kind: 'files' });
    assert.deepEqual(flagValueKind('serve', { name: 'role-profile', type: 'option' }), { kind: 'profiles' });
    assert.deepEqual(flagValueKind('import', { name: 'source-backend', type: 'option' }), { kind: 'backends' });
    assert.deepEqual(flagValueKind('login', { name: 'browser-path', type: 'option' }), { kind: 'commands' });
  });

  it('reads arguments: profile, options, else files', () => {
    assert.deepEqual(argValueKind({}, 'profile'), { kind: 'profiles' });
    assert.deepEqual(argValueKind({ name: 'shell', options: ['bash', 'zsh'] }, 'shell'), { kind: 'options', options: ['bash', 'zsh'] });
    assert.deepEqual(argValueKind({ name: 'path' }, 'path'), { kind: 'files' });
  });

  it('writes kinds as one word', () => {
    assert.equal(kindWord({ kind: 'options', options: ['a', 'b'] }), 'options:a,b');
    assert.equal(kindWord({ kind: 'profiles' }), 'profiles');
  });

  it('cleans summaries to one line without template tags', () => {
    assert.equal(cleanSummary('Run <%= config.bin %> now.\nmore'), 'Run now');
    assert.equal(cleanSummary(undefined), '');
  });
});

describe("the CLI's own commands (its oclif manifest)", () => {
  const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as { commands: Record<string, CommandLike> };
  const model = buildModel('vault', Object.values(manifest.commands));

  it('completes profile names as the argument of every command that takes a profile', () => {
    for (const id of ['exec', 'export', 'login', 'remove', 'rm', 'rotate', 'clear', 'add']) {
      assert.deepEqual(model.commands.get(id)?.args[0], { kind: 'profiles' }, id);
    }
  });

  it('completes backends, prompts, profiles and formats for their flags', () => {
    const flag = (command: string, name: string) => model.commands.get(command)?.flags.find((f) => f.name === name)?.value;
    assert.deepEqual(flag('exec', 'backend'), { kind: 'backends' });
    assert.deepEqual(flag('exec', 'prompt'), { kind: 'prompts' });
    assert.deepEqual(flag('migrate-backend', 'from'), { kind: 'backends' });
    assert.deepEqual(flag('migrate-backend', 'to'), { kind: 'backends' });
    assert.deepEqual(flag('migrate-backend', 'profile'), { kind: 'profiles' });
    assert.deepEqual(flag('export', 'format'), { kind: 'options', options: ['env', 'export-env', 'json', 'ini', 'dotenv', 'fish', 'powershell', 'nu', 'cmd'] });
    assert.equal(model.commands.get('exec')?.passThrough, true);
    assert.deepEqual(model.commands.get('completion')?.args[0], { kind: 'options', options: ['bash', 'zsh', 'fish', 'powershell'] });
  });
});
