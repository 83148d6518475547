import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closedPort } from '../helpers/closedPort.js';
import { assertOneLineError, runAws } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

describe('endpoints from a [services] section, in the AWS SDKs\' order', () => {
  let s: Scenario;
  let dead: string;
  before(async () => {
    s = await startScenario();
    dead = `http://127.0.0.1:${await closedPort()}`;
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\nservices = local\nendpoint_url = ${dead}\n\n` +
        `[services local]\nsts =\n  endpoint_url = ${s.emulator.url}\n\n` +
        `[profile dead-sts]\nregion = us-east-1\nservices = broken\nendpoint_url = ${s.emulator.url}\n\n` +
        `[services broken]\nsts =\n  endpoint_url = ${dead}\n`,
    );
    const add = await s.vault(['add', '--env', '--force', 'dead-sts'], { AWS_ACCESS_KEY_ID: s.user.accessKeyId, AWS_SECRET_ACCESS_KEY: s.user.secretAccessKey });
    assert.equal(add.code, 0, add.stderr);
  });
  after(() => s.close());

  it('sends STS to the [services] endpoint over the profile\'s endpoint_url, and the session works', async () => {
    const r = await s.vault(['export', '--format=json', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    assert.match(json.AccessKeyId, /^ASIA/);
    const who = await runAws(
      ['sts', 'get-caller-identity'],
      { ...s.home.env, AWS_ACCESS_KEY_ID: json.AccessKeyId, AWS_SECRET_ACCESS_KEY: json.SecretAccessKey, AWS_SESSION_TOKEN: json.SessionToken, AWS_REGION: 'us-east-1' },
      s.emulator.url,
    );
    assert.equal(who.code, 0, who.stderr);
    assert.equal((JSON.parse(who.stdout) as { Arn: string }).Arn, s.user.arn);
  });

  it('fails in one line naming the profile when the [services] STS endpoint is dead', async () => {
    const r = await s.vault(['export', '--format=json', 'dead-sts'], { AWS_VAULT_HTTP_TIMEOUT: '5s' });
    assertOneLineError(r, /^vault: error: profile dead-sts: .*sts:GetSessionToken/);
  });

  it('lets AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL outrank the [services] section', async () => {
    for (const variable of ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL']) {
      const withSession = await s.vault(['export', '--format=json', 'dead-sts'], { [variable]: s.emulator.url });
      assert.equal(withSession.code, 0, `${variable}: ${withSession.stderr}`);
      assert.match((JSON.parse(withSession.stdout) as { AccessKeyId: string }).AccessKeyId, /^ASIA/);
      await s.vault(['clear', 'dead-sts']);
    }
  });
});
