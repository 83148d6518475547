import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startScenario, type Scenario } from '../helpers/scenario.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
const LINK_ENV = { OCLIF_DISABLE_LINKED_ESM_WARNING: '1' };

/** The backend and source examples of docs/plugins.md, linked into vault and used for real. */
describe('the plugin examples of docs/plugins.md', () => {
  let s: Scenario;
  let store: string;
  before(async () => {
    s = await startScenario();
    store = mkdtempSync(join(s.home.dir, 'example-store-'));
    for (const name of ['vault-backend-example', 'vault-source-example']) {
      const r = await s.vault(['plugins', 'link', fixture(name), '--no-install'], LINK_ENV);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => s.close());

  it('the backend example stores keys that vault exec then uses with the real AWS CLI', async () => {
    const env = { ...LINK_ENV, VAULT_EXAMPLE_DIR: store };
    const add = await s.vault(['add', '--env', '--backend', 'example-dir', 'dev'], { ...env, AWS_ACCESS_KEY_ID: s.user.accessKeyId, AWS_SECRET_ACCESS_KEY: s.user.secretAccessKey });
    assert.equal(add.code, 0, add.stderr);
    assert.deepEqual(readdirSync(store), ['dev.json']);
    assert.equal(statSync(join(store, 'dev.json')).mode & 0o777, 0o600);
    const r = await s.vault(['exec', '--backend', 'example-dir', 'dev', '--', '/usr/bin/aws', 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url, '--output', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, s.user.arn);
    assert.ok(readdirSync(store).some((name) => name.startsWith('sts.GetSessionToken')), 'the session is cached in the example store');
  });

  it('the source example serves example-* profiles, cached by core', async () => {
    s.home.writeConfig(`[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n[profile example-one]\nregion = us-east-1\n`);
    const env = { ...LINK_ENV, VAULT_EXAMPLE_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE01', VAULT_EXAMPLE_SECRET_ACCESS_KEY: 's'.repeat(40), VAULT_EXAMPLE_SESSION_TOKEN: 'token' };
    const r = await s.vault(['export', '--format=json', 'example-one'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).AccessKeyId, 'ASIAEXAMPLEEXAMPLE01');
    const cached = await s.vault(['export', '--format=json', 'example-one'], LINK_ENV);
    assert.equal(cached.code, 0, cached.stderr);
    assert.equal(JSON.parse(cached.stdout).AccessKeyId, 'ASIAEXAMPLEEXAMPLE01', 'the second run is answered from the session cache');
    const sessions = await s.vault(['list', '--sessions'], LINK_ENV);
    assert.match(sessions.stdout, /^example\.EnvCredentials:/m);
    const missing = await s.vault(['export', 'example-two'], LINK_ENV);
    assert.equal(missing.code, 1);
  });
});
