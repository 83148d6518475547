import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { daemonEnvFor, daemonStatePath, readDaemonState, readStateFile, removeDaemonState, writeDaemonState, type DaemonState } from './daemonState.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('daemon state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-serve-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const state: DaemonState = { url: 'http://127.0.0.1:4567', token: 'x'.repeat(43), pid: process.pid, tls: false };

  it('lives in $XDG_RUNTIME_DIR/vault, else ~/.awsvault', () => {
    assert.equal(daemonStatePath({ XDG_RUNTIME_DIR: '/run/user/1', HOME: '/h' }), '/run/user/1/vault/serve.json');
    assert.equal(daemonStatePath({ HOME: '/h' }), '/h/.awsvault/serve.json');
  });

  it('is written 0600 in a 0700 directory, read back while the pid lives, and removed only by its owner', async () => {
    const env = { XDG_RUNTIME_DIR: join(dir, 'a') };
    const path = daemonStatePath(env);
    writeDaemonState(path, state);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'a', 'vault')).mode & 0o777, 0o700);
    assert.deepEqual(await readDaemonState(env), state);
    removeDaemonState(path, process.pid + 1);
    assert.ok(existsSync(path), 'another daemon leaves it alone');
    removeDaemonState(path);
    assert.equal(existsSync(path), false);
    assert.equal(await readDaemonState(env), undefined);
  });

  it('refuses a second live daemon naming its pid and URL, and replaces the file of a dead one', async () => {
    const env = { XDG_RUNTIME_DIR: join(dir, 'b') };
    const path = daemonStatePath(env);
    writeDaemonState(path, state);
    assert.throws(() => writeDaemonState(path, { ...state, url: 'http://127.0.0.1:1' }), { code: 'SERVE_RUNNING', message: `vault serve is already running (pid ${process.pid}, http://127.0.0.1:4567)` });
    const dead = { ...state, pid: deadPid() };
    writeFileSync(path, JSON.stringify(dead));
    assert.equal(await readDaemonState(env), undefined, 'a dead daemon is no daemon');
    writeDaemonState(path, state);
    assert.deepEqual(readStateFile(path), state);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('ignores malformed files', () => {
    const path = join(dir, 'bad.json');
    for (const text of ['', '{', '{"url":1}', JSON.stringify({ ...state, pid: -1 }), JSON.stringify({ ...state, tls: 'no' })]) {
      writeFileSync(path, text);
      assert.equal(readStateFile(path), undefined, text);
    }
    assert.equal(readFileSync(path, 'utf8').length > 0, true);
  });

  it('gives the full URI of a profile (escaped) and the token', () => {
    assert.deepEqual(daemonEnvFor(state, 'dev'), { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:4567/profile/dev', AWS_CONTAINER_AUTHORIZATION_TOKEN: state.token });
    assert.equal(daemonEnvFor(state, 'a@b:c')['AWS_CONTAINER_CREDENTIALS_FULL_URI'], 'http://127.0.0.1:4567/profile/a%40b%3Ac');
  });
});
