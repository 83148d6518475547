import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsBin } from '../helpers/paths.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

describe('vault exec with the real AWS CLI', () => {
  let s: Scenario;
  let roleArn: string;
  before(async () => {
    s = await startScenario();
    roleArn = s.emulator.state.createRole({ name: 'deploy', trustedPrincipals: [s.user.arn] }).arn;
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[profile deploy]\nrole_arn = ${roleArn}\nsource_profile = dev\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n`,
    );
  });
  after(() => s.close());

  it('gives the child a GetSessionToken session that /usr/bin/aws uses, and reuses it on the next run', async () => {
    const first = await s.vault(['exec', 'dev', '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url, '--output', 'json']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).Arn, s.user.arn);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 1);

    const second = await s.vault(['exec', 'dev', '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url, '--output', 'json']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).Arn, s.user.arn);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 1, 'the cached session is reused');

    const env = await s.vault(['exec', 'dev', '--', 'sh', '-c', 'printf "%s %s %s" "$AWS_ACCESS_KEY_ID" "$AWS_VAULT" "${AWS_SESSION_TOKEN:+token}"']);
    assert.match(env.stdout, /^ASIA[A-Z0-9]{16} dev token$/);
  });

  it('--no-session hands the stored long-term keys to the child', async () => {
    const r = await s.vault(['exec', '--no-session', 'dev', '--', 'sh', '-c', 'printf "%s|%s" "$AWS_ACCESS_KEY_ID" "${AWS_SESSION_TOKEN:-none}"']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${s.user.accessKeyId}|none`);
  });

  it('assumes role_arn from source_profile and the AWS CLI sees the assumed-role ARN', async () => {
    const r = await s.vault(['exec', 'deploy', '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url, '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).Arn, /^arn:aws:sts::\d{12}:assumed-role\/deploy\/\d+$/);
    assert.ok(s.emulator.state.calls('sts:AssumeRole') >= 1);
  });

  it("passes the child's exit code through", async () => {
    const r = await s.vault(['exec', 'dev', '--', 'sh', '-c', 'exit 7']);
    assert.equal(r.code, 7);
  });

  it('refuses to run inside another vault subshell', async () => {
    const r = await s.vault(['exec', 'dev', '--', 'true'], { AWS_VAULT: 'dev' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vault: error: running in an existing vault subshell for profile dev/);
  });
});
