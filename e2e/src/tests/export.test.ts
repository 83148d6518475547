import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runAws, shellQuote } from '../helpers/run.js';
import { vaultBin } from '../helpers/paths.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

describe('vault export', () => {
  let s: Scenario;
  before(async () => {
    s = await startScenario();
    const cp = shellQuote([process.execPath, vaultBin, 'export', '--format=json', 'dev']);
    s.home.writeConfig(`[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n[profile cp]\nregion = us-east-1\ncredential_process = ${cp}\n`);
  });
  after(() => s.close());

  it('prints credential_process Version 1 JSON with a session token and expiration', async () => {
    const r = await s.vault(['export', '--format=json', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    assert.equal(json.Version, 1);
    assert.match(json.AccessKeyId, /^ASIA/);
    assert.match(json.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(r.stdout.endsWith('}\n'));
  });

  it('works as credential_process for /usr/bin/aws', async () => {
    const r = await runAws(['sts', 'get-caller-identity', '--profile', 'cp'], s.home.env, s.emulator.url);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, s.user.arn);
  });

  it('prints env, export-env and ini as aws-vault does', async () => {
    const env = await s.vault(['export', '--no-session', 'dev']);
    assert.equal(env.stdout, `AWS_ACCESS_KEY_ID=${s.user.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${s.user.secretAccessKey}\nAWS_REGION=us-east-1\nAWS_DEFAULT_REGION=us-east-1\n`);
    const exportEnv = await s.vault(['export', '--no-session', '--format=export-env', 'dev']);
    assert.equal(exportEnv.stdout, env.stdout.replace(/^/gm, 'export ').replace(/export $/, ''));
    const ini = await s.vault(['export', '--no-session', '--format=ini', 'dev']);
    assert.equal(ini.stdout, `[dev]\naws_access_key_id=${s.user.accessKeyId}\naws_secret_access_key=${s.user.secretAccessKey}\nregion=us-east-1\n`);
  });
});
