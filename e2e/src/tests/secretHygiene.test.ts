import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsBin, vaultBin } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

/** Every file under a directory, with its mode. */
function walk(dir: string): Array<{ path: string; mode: number; isDir: boolean }> {
  const out: Array<{ path: string; mode: number; isDir: boolean }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    out.push({ path, mode: st.mode & 0o777, isDir: st.isDirectory() });
    if (st.isDirectory()) out.push(...walk(path));
  }
  return out;
}

describe('secret hygiene: --debug output, child argv, files and modes', () => {
  let s: Scenario;
  const secrets: string[] = [];
  before(async () => {
    s = await startScenario();
    secrets.push(s.user.secretAccessKey, s.home.passphrase);
  });
  after(() => s.close());

  it('no secret key, session token or passphrase in stdout/stderr of --debug runs (except where credentials are the output)', async () => {
    const outputs: string[] = [];
    const exported = await s.vault(['export', '--debug', '--format=json', 'dev']);
    assert.equal(exported.code, 0, exported.stderr);
    const session = JSON.parse(exported.stdout) as { SecretAccessKey: string; SessionToken: string };
    secrets.push(session.SecretAccessKey, session.SessionToken);
    outputs.push(exported.stderr);
    for (const args of [
      ['list', '--debug'], ['exec', '--debug', 'dev', '--', 'true'], ['exec', '--debug', '--no-session', 'dev', '--', 'true'],
      ['export', '--debug', 'dev'], ['clear', '--debug', 'dev'], ['exec', '--debug', 'dev', '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url],
    ]) {
      const r = await s.vault(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      outputs.push(r.stderr);
      if (args[0] !== 'export') outputs.push(r.stdout);
    }
    // import reads a plaintext secret and stores it: neither its --debug output nor its summary shows it.
    const plaintextDir = mkdtempSync(join(tmpdir(), 'vault-hygiene-'));
    const plaintextSecret = 'imported-secret-imported-secret-imported1';
    secrets.push(plaintextSecret);
    const credentialsFile = join(plaintextDir, 'credentials');
    writeFileSync(credentialsFile, `[imported]\naws_access_key_id = ${fakeAccessKeyId('IMPORTEDEXAMPLE1')}\naws_secret_access_key = ${plaintextSecret}\n`, { mode: 0o600 });
    for (const args of [['import', '--debug', '--from', 'aws-credentials', '--dry-run'], ['import', '--debug', '--from', 'aws-credentials', '--keep-plaintext']]) {
      const r = await s.vault(args, { AWS_SHARED_CREDENTIALS_FILE: credentialsFile });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      outputs.push(r.stdout, r.stderr);
    }
    rmSync(plaintextDir, { recursive: true, force: true });
    const failing = await s.vault(['export', '--debug', 'dev'], { AWS_VAULT_FILE_PASSPHRASE: 'a-wrong-passphrase-1234', AWS_MIN_TTL: '100h' });
    assert.notEqual(failing.code, 0);
    outputs.push(failing.stdout, failing.stderr);
    secrets.push('a-wrong-passphrase-1234');
    const all = outputs.join('\n');
    assert.match(all, /using GetSessionToken/, 'debug output was produced');
    for (const secret of secrets) assert.equal(all.includes(secret), false, `a secret (${secret.slice(0, 4)}…) leaked into output`);
  });

  it('no secret in the argv of any process while vault runs a command', async () => {
    const r = await s.vault(['exec', 'dev', '--', 'sh', '-c', 'ps -eo args']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ps -eo args/);
    for (const secret of secrets) assert.equal(r.stdout.includes(secret), false);
  });

  it('the store is 0700/0600, also when vault runs under umask 000, and no file outside it holds a secret', async () => {
    const r = await run('sh', ['-c', `umask 000; exec "${process.execPath}" "${vaultBin}" add --env --force umasked`], {
      ...s.home.env, AWS_ACCESS_KEY_ID: fakeAccessKeyId('UMASKEDEXAMPLE01'), AWS_SECRET_ACCESS_KEY: 'umasked-secret-umasked-secret-umasked-12',
    });
    assert.equal(r.code, 0, r.stderr);
    secrets.push('umasked-secret-umasked-secret-umasked-12');
    const storeFiles = walk(s.home.keysDir);
    assert.ok(storeFiles.length >= 2);
    assert.equal(statSync(s.home.keysDir).mode & 0o777, 0o700);
    for (const f of storeFiles) assert.equal(f.mode, f.isDir ? 0o700 : 0o600, f.path);
    for (const f of walk(s.home.dir)) {
      if (f.isDir || f.path.startsWith(s.home.keysDir)) continue;
      const text = readFileSync(f.path, 'latin1');
      for (const secret of secrets) assert.equal(text.includes(secret), false, `${f.path} holds a secret`);
    }
  });
});
