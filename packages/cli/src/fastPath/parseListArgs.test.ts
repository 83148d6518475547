import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseListArgs } from './parseListArgs.js';

it('parseListArgs takes list|ls with the column flags and backend settings, in the command\'s order of precedence', () => {
  assert.deepEqual(parseListArgs(['ls'], {}), { only: undefined, backend: undefined, backendEnv: {} });
  assert.equal(parseListArgs(['list', '--sessions', '--credentials'], {})?.only, 'credentials');
  assert.equal(parseListArgs(['list', '--sessions', '--profiles'], {})?.only, 'profiles');
  assert.deepEqual(parseListArgs(['list', '--backend=pass', '--pass-dir', '/s', '--file-dir=/f'], { AWS_VAULT_BACKEND: 'file' }), {
    only: undefined, backend: 'pass', backendEnv: { AWS_VAULT_PASS_PASSWORD_STORE_DIR: '/s', AWS_VAULT_FILE_DIR: '/f' },
  });
  assert.equal(parseListArgs(['list'], { AWS_VAULT_BACKEND: 'file' })?.backend, 'file');
});

it('parseListArgs leaves everything else to oclif', () => {
  for (const argv of [['list', '--json'], ['list', '--debug'], ['list', '--help'], ['list', 'extra'], ['list', '--backend'], ['list', '--backend', '--sessions'], ['export', 'p'], ['list', '-h']]) {
    assert.equal(parseListArgs(argv, {}), undefined, argv.join(' '));
  }
});
