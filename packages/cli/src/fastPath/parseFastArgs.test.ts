import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFastArgs } from './parseFastArgs.js';

describe('parseFastArgs', () => {
  it('understands export with its flags in any position', () => {
    const r = parseFastArgs(['export', '--format=json', 'dev', '-n', '--region', 'eu-west-1'], {});
    assert.deepEqual(r && { p: r.profile, f: r.format, n: r.noSession, reg: r.region }, { p: 'dev', f: 'json', n: true, reg: 'eu-west-1' });
  });

  it('understands exec with a command after --, and $AWS_PROFILE as the default profile', () => {
    const r = parseFastArgs(['exec', 'dev', '--', 'aws', 's3', 'ls', '--recursive'], {});
    assert.deepEqual(r?.childArgv, ['aws', 's3', 'ls', '--recursive']);
    assert.equal(parseFastArgs(['exec', '--', 'true'], { AWS_PROFILE: 'p' })?.profile, 'p');
  });

  it('takes backend, prompt, file dir and duration from the environment like the oclif flags', () => {
    const r = parseFastArgs(['export', 'dev'], { AWS_VAULT_BACKEND: 'file', AWS_VAULT_FILE_DIR: '/x', AWS_VAULT_DURATION: '2h', AWS_VAULT_PROMPT: 'terminal' });
    assert.deepEqual(r && [r.backend, r.fileDir, r.duration, r.prompt], ['file', '/x', '2h', 'terminal']);
  });

  it('steps aside for anything it does not fully understand', () => {
    for (const argv of [
      ['export', '--debug', 'dev'], ['export', '--help'], ['export', 'dev', '--format=yaml'], ['export'], ['export', 'a', 'b'],
      ['exec', '--ecs-server', 'dev'], ['exec', 'dev', 'cmd', 'arg'], ['export', 'dev', '--', 'x'], ['export', '--json', 'dev'],
      ['exec'], ['list'], ['export', 'dev', '--region'],
    ]) {
      assert.equal(parseFastArgs(argv, {}), undefined, argv.join(' '));
    }
  });

  it('steps aside for every server flag of exec, so the servers always run in oclif', () => {
    for (const argv of [
      ['exec', '-s', 'dev'], ['exec', '--server', 'dev'], ['exec', 'dev', '--ecs-server', '--', 'true'], ['exec', '--ec2-server', 'dev', '--', 'true'],
      ['exec', '--lazy', 'dev'], ['exec', '--ec2-server-port', '0', 'dev'], ['exec', '--ec2-server-port=9100', 'dev'], ['exec', '--imds-v2-only', 'dev'],
      ['exec', '-n', '-s', 'dev', '--', 'true'],
    ]) {
      assert.equal(parseFastArgs(argv, {}), undefined, argv.join(' '));
    }
  });
});
