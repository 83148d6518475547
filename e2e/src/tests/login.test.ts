import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FEDERATION_POLICY } from '@awsvault/core';
import { startScenario, type Scenario } from '../helpers/scenario.js';

/** The parts of a login URL the console would read. */
function parseLoginUrl(text: string): { base: string; action: string | null; issuer: string | null; destination: string | null; signinToken: string | null } {
  const url = new URL(text);
  return {
    base: `${url.origin}${url.pathname}`,
    action: url.searchParams.get('Action'),
    issuer: url.searchParams.get('Issuer'),
    destination: url.searchParams.get('Destination'),
    signinToken: url.searchParams.get('SigninToken'),
  };
}

/** Exactly one line on stdout: the URL. */
function onlyLine(stdout: string): string {
  const lines = stdout.split('\n');
  assert.equal(lines.length, 2, `one line and a newline: ${JSON.stringify(stdout)}`);
  assert.equal(lines[1], '');
  return lines[0] as string;
}

describe('vault login against the emulator', () => {
  let s: Scenario;
  let viewerArn: string;
  const lastSignin = () => s.emulator.federation.requests.filter((r) => r.action === 'getSigninToken').at(-1);

  before(async () => {
    s = await startScenario();
    viewerArn = s.emulator.state.createRole({ name: 'viewer', trustedPrincipals: [s.user.arn] }).arn;
    const endpoint = `endpoint_url = ${s.emulator.url}\n`;
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\n${endpoint}\n` +
        `[profile viewer]\nrole_arn = ${viewerArn}\nsource_profile = dev\nregion = eu-west-1\n${endpoint}\n` +
        `[profile plain]\nsource_profile = dev\n${endpoint}\n`,
    );
  });
  beforeEach(() => {
    s.emulator.state.reset();
    s.emulator.federation.reset();
  });
  after(() => s.close());

  it("an IAM user's keys go through GetFederationToken; --stdout prints exactly one working URL", async () => {
    const r = await s.vault(['login', '--stdout', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const url = onlyLine(r.stdout);
    const parsed = parseLoginUrl(url);
    assert.deepEqual(parsed, {
      base: `${s.emulator.url}/federation`,
      action: 'login',
      issuer: 'aws-vault',
      destination: 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1',
      signinToken: parsed.signinToken,
    });
    assert.equal(s.emulator.state.calls('sts:GetFederationToken'), 1);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 0, 'the target never uses GetSessionToken');
    const federate = s.emulator.state.requests.find((q) => q.action === 'GetFederationToken');
    assert.equal(federate?.accessKeyId, s.user.accessKeyId);
    assert.deepEqual({ ...federate?.params }, { Name: 'alice', DurationSeconds: '3600', Policy: FEDERATION_POLICY });
    const signin = lastSignin();
    assert.equal(signin?.status, 200);
    assert.equal(signin?.sessionKind, 'federated-user');
    assert.equal(signin?.federatedName, 'alice');
    assert.equal(signin?.sessionDuration, undefined, 'no SessionDuration is sent');
    assert.equal(signin?.signinToken, parsed.signinToken);
    const landing = await fetch(url, { redirect: 'manual' });
    assert.equal(landing.status, 302);
    assert.equal(landing.headers.get('location'), parsed.destination);
  });

  it('a role profile signs in with the role session as it is; --path and the region build the destination', async () => {
    const r = await s.vault(['login', '--stdout', '--path', 's3', 'viewer']);
    assert.equal(r.code, 0, r.stderr);
    const parsed = parseLoginUrl(onlyLine(r.stdout));
    assert.equal(parsed.destination, 'https://eu-west-1.console.aws.amazon.com/s3?region=eu-west-1');
    assert.equal(s.emulator.state.calls('sts:GetFederationToken'), 0);
    assert.equal(s.emulator.state.calls('sts:AssumeRole'), 1);
    const signin = lastSignin();
    assert.equal(signin?.sessionKind, 'assumed-role');
    assert.equal(signin?.roleArn, viewerArn);
    assert.equal(s.emulator.federation.tokenSession(parsed.signinToken ?? '')?.sessionId, signin?.sessionId);

    const cn = await s.vault(['login', '-s', '--region', 'cn-north-1', 'viewer']);
    assert.equal(parseLoginUrl(onlyLine(cn.stdout)).destination, 'https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1');
    const gov = await s.vault(['login', '-s', '--region', 'us-gov-west-1', '--path', 'ec2/home', 'viewer']);
    assert.equal(parseLoginUrl(onlyLine(gov.stdout)).destination, 'https://us-gov-west-1.console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1');
  });

  it('--duration sets the federated session length; without a region the destination is the global console', async () => {
    const r = await s.vault(['login', '--stdout', '--duration', '2h', '--path', 's3', 'plain']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseLoginUrl(onlyLine(r.stdout)).destination, 'https://console.aws.amazon.com/');
    assert.equal(s.emulator.state.requests.find((q) => q.action === 'GetFederationToken')?.params['DurationSeconds'], '7200');
  });

  it('no profile: credentials from the environment (role session as is, long-term keys federated)', async () => {
    const exported = await s.vault(['export', '--format=json', 'viewer']);
    assert.equal(exported.code, 0, exported.stderr);
    const role = JSON.parse(exported.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const env = { AWS_ACCESS_KEY_ID: role.AccessKeyId, AWS_SECRET_ACCESS_KEY: role.SecretAccessKey, AWS_SESSION_TOKEN: role.SessionToken, AWS_ENDPOINT_URL: s.emulator.url, AWS_REGION: 'eu-central-1' };
    const r = await s.vault(['login', '--stdout'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseLoginUrl(onlyLine(r.stdout)).destination, 'https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1');
    assert.equal(lastSignin()?.sessionId, role.AccessKeyId);

    const keys = { AWS_ACCESS_KEY_ID: s.user.accessKeyId, AWS_SECRET_ACCESS_KEY: s.user.secretAccessKey, AWS_ENDPOINT_URL: s.emulator.url };
    const federated = await s.vault(['login', '--stdout'], keys);
    assert.equal(federated.code, 0, federated.stderr);
    assert.equal(parseLoginUrl(onlyLine(federated.stdout)).destination, 'https://console.aws.amazon.com/');
    assert.equal(s.emulator.state.calls('sts:GetFederationToken'), 1);
    assert.equal(lastSignin()?.sessionKind, 'federated-user');

    const none = await s.vault(['login']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^vault: error: no profile given, AWS_PROFILE is not set, and no AWS credentials are in the environment/);
  });

  it('opens the URL with xdg-open, and without one prints it with a one-line note', async () => {
    const bin = join(s.home.dir, 'bin');
    const empty = join(s.home.dir, 'empty');
    mkdirSync(bin, { recursive: true });
    mkdirSync(empty, { recursive: true });
    const opened = join(s.home.dir, 'opened-url');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);

    const withOpener = await s.vault(['login', 'dev'], { PATH: bin });
    assert.equal(withOpener.code, 0, withOpener.stderr);
    assert.equal(withOpener.stdout, '');
    assert.equal(withOpener.stderr, '');
    assert.equal(parseLoginUrl(readFileSync(opened, 'utf8')).signinToken, lastSignin()?.signinToken);

    const without = await s.vault(['login', 'dev'], { PATH: empty });
    assert.equal(without.code, 0, without.stderr);
    const url = onlyLine(without.stdout);
    assert.equal(parseLoginUrl(url).signinToken, lastSignin()?.signinToken);
    assert.equal(without.stderr, 'vault: could not open a browser (xdg-open was not found); the login URL is on stdout\n');

    const fromEnv = await s.vault(['login', 'dev'], { PATH: empty, AWS_VAULT_STDOUT: 'true' });
    assert.equal(fromEnv.stderr, '', 'AWS_VAULT_STDOUT means --stdout');
    onlyLine(fromEnv.stdout);
  });

  it('--auto-logout signs out first, then lands on the login URL', async () => {
    const r = await s.vault(['login', '--stdout', '--auto-logout', 'viewer']);
    assert.equal(r.code, 0, r.stderr);
    const url = new URL(onlyLine(r.stdout));
    assert.equal(`${url.origin}${url.pathname}`, `${s.emulator.url}/oauth`);
    assert.equal(url.searchParams.get('Action'), 'logout');
    const logout = await fetch(url, { redirect: 'manual' });
    assert.equal(logout.status, 302);
    const login = await fetch(logout.headers.get('location') ?? '', { redirect: 'manual' });
    assert.equal(login.status, 302);
    assert.equal(login.headers.get('location'), 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1');
  });

  it('never writes a secret to stderr, even with --debug', async () => {
    const r = await s.vault(['login', '--stdout', '--debug', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /creating a federated session/);
    const federated = s.emulator.state.sessions.filter((x) => x.kind === 'federated-user').at(-1);
    const token = lastSignin()?.signinToken ?? '';
    for (const secret of [s.user.secretAccessKey, federated?.secretAccessKey ?? '', federated?.sessionToken ?? '', token]) {
      assert.ok(secret.length > 10);
      assert.ok(!r.stderr.includes(secret), 'a secret reached stderr');
      assert.ok(!r.stderr.includes(encodeURIComponent(secret)), 'an escaped secret reached stderr');
    }
  });

  it('a GetSessionToken session is refused by the console: one line with the status', async () => {
    const exported = await s.vault(['export', '--format=json', 'dev']);
    const gst = JSON.parse(exported.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const r = await s.vault(['login', '--stdout'], { AWS_ACCESS_KEY_ID: gst.AccessKeyId, AWS_SECRET_ACCESS_KEY: gst.SecretAccessKey, AWS_SESSION_TOKEN: gst.SessionToken, AWS_ENDPOINT_URL: s.emulator.url });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^vault: error: call to getSigninToken failed with 400 Bad Request \(/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.ok(!r.stderr.includes(gst.SecretAccessKey));
  });
});
