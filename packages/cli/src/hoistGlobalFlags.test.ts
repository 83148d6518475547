import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hoistGlobalFlags } from './hoistGlobalFlags.js';

it('moves aws-vault-style leading global flags after the command', () => {
  assert.deepEqual(hoistGlobalFlags(['--backend', 'pass', 'list']), ['list', '--backend', 'pass']);
  assert.deepEqual(hoistGlobalFlags(['--debug', '--backend=file', 'exec', 'dev', '--', 'aws']), ['exec', '--debug', '--backend=file', 'dev', '--', 'aws']);
  assert.deepEqual(hoistGlobalFlags(['exec', '--debug', 'dev']), ['exec', '--debug', 'dev']);
  assert.deepEqual(hoistGlobalFlags(['--version']), ['--version']);
  assert.deepEqual(hoistGlobalFlags(['--debug', '--help']), ['--debug', '--help']);
  assert.deepEqual(hoistGlobalFlags(['--backend']), ['--backend']);
  assert.deepEqual(hoistGlobalFlags([]), []);
});
