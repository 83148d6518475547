import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { awsBin, repoRoot } from '../helpers/paths.js';
import { run, runVault, type RunResult } from '../helpers/run.js';
import { tempHome, type TempHome } from '../helpers/tempHome.js';
import { startWatchedVault } from '../helpers/watchedVault.js';

// IAM Identity Center through the built CLI: no stdin, no terminal, AWS_VAULT_STDOUT=1 so no browser
// starts. The test is the person at the browser: it reads the code vault prints on stderr and
// approves it at the emulator's test endpoint (or, for PKCE, follows the authorize redirect).

const START = 'https://emulated.awsapps.com/start';
const ACCOUNT = '111122223333';
const CODE = /Confirmation code: ([A-Z]{4}-[A-Z]{4})/;
const AUTHORIZE = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/;

async function approve(emulator: Emulator, userCode: string): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/sso/approve?user_code=${userCode}`, { method: 'POST' });
  assert.equal(response.status, 200, `approve ${userCode}`);
}

/** Runs vault and approves the sign-in it asks for, as the person at the browser would. */
async function withApproval(emulator: Emulator, args: string[], env: Record<string, string>): Promise<RunResult> {
  const running = startWatchedVault(args, env);
  const [, code] = await running.waitFor(CODE);
  await approve(emulator, code as string);
  return running.done;
}

function ssoConfig(url: string, extraSession = ''): string {
  const common = `region = us-east-1\nendpoint_url = ${url}\n`;
  return (
    `[sso-session corp]\nsso_start_url = ${START}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n${extraSession}\n` +
    `[profile sso]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = Admin\n${common}\n` +
    `[profile sso-ro]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = ReadOnly\n${common}\n` +
    `[profile deploy]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/deploy\nsource_profile = sso\n${common}`
  );
}

interface World {
  emulator: Emulator;
  home: TempHome;
  env: Record<string, string>;
  adminRole: string;
  close(): Promise<void>;
}

async function world(options: { tokenTtlSeconds?: number; extraSession?: string } = {}): Promise<World> {
  const emulator = await startEmulator();
  if (options.tokenTtlSeconds) emulator.sso.oidc.accessTokenTtlSeconds = options.tokenTtlSeconds;
  const admin = emulator.sso.assign({ roleName: 'Admin', accountId: ACCOUNT });
  emulator.sso.assign({ roleName: 'ReadOnly', accountId: ACCOUNT });
  emulator.state.createRole({ name: 'deploy', accountId: ACCOUNT, trustedPrincipals: [admin.roleArn] });
  const home = tempHome();
  home.writeConfig(ssoConfig(emulator.url, options.extraSession));
  return {
    emulator,
    home,
    env: { ...home.env, AWS_VAULT_STDOUT: '1' },
    adminRole: admin.roleArn.split('/').pop() as string,
    close: async () => {
      await emulator.close();
      home.cleanup();
    },
  };
}

const callerIdentity = (url: string) => [awsBin, 'sts', 'get-caller-identity', '--endpoint-url', url, '--output', 'json'];
const grants = (emulator: Emulator, grantType: string) =>
  emulator.state.requests.filter((r) => r.service === 'sso-oidc' && r.action === 'CreateToken' && r.params['grantType'] === grantType && r.status === 200).length;

describe('SSO device sign-in through the built CLI and /usr/bin/aws', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => w.close());

  it('signs in with the device flow approved at the emulator, and the AWS CLI sees the SSO role', async () => {
    const r = await withApproval(w.emulator, ['exec', 'sso', '--', ...callerIdentity(w.emulator.url)], w.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${w.adminRole}/alice@example.com`);
    assert.match(r.stderr, /^Open the SSO authorization page in a browser \(use Ctrl-C to abort\)\nhttp:\/\/127\.0\.0\.1:\d+\/device\?user_code=[A-Z]{4}-[A-Z]{4}\nConfirmation code: [A-Z]{4}-[A-Z]{4} \(profile sso;/);
    assert.doesNotMatch(r.stderr, /Waiting/, 'no indicator when stderr is not a terminal');
    const s = w.emulator.state;
    assert.deepEqual([s.calls('RegisterClient'), s.calls('StartDeviceAuthorization'), s.calls('GetRoleCredentials')], [1, 1, 1]);
    const [client] = w.emulator.sso.oidc.registeredClients;
    assert.equal(client?.clientName, 'vault');
    assert.deepEqual(client?.scopes, ['sso:account:access'], 'sso_registration_scopes is sent');
    assert.ok(w.emulator.sso.oidc.issuedTokens[0]?.refreshToken, 'so the token is refreshable');
  });

  it('reuses the cached role credentials, and after they expire the stored token (no sign-in)', async () => {
    const again = await runVault(['export', '--format=json', 'sso'], w.env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(w.emulator.state.calls('GetRoleCredentials'), 1, 'no portal call');
    // Role credentials last 1h: a minimum TTL of 2h makes them count as expired.
    const later = await runVault(['export', '--format=json', 'sso'], { ...w.env, AWS_MIN_TTL: '2h' });
    assert.equal(later.code, 0, later.stderr);
    assert.doesNotMatch(later.stderr, CODE);
    assert.equal(w.emulator.state.calls('GetRoleCredentials'), 2);
    assert.equal(w.emulator.state.calls('StartDeviceAuthorization'), 1);
    const otherGrants = w.emulator.state.requests.filter((q) => q.action === 'CreateToken' && q.params['grantType'] !== 'urn:ietf:params:oauth:grant-type:device_code');
    assert.equal(otherGrants.length, 0, 'no token request besides the sign-in');
  });

  it('assumes role_arn with source_profile = the SSO profile', async () => {
    const r = await runVault(['exec', 'deploy', '--', ...callerIdentity(w.emulator.url)], w.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).Arn, new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/deploy/\\d+$`));
    assert.equal(w.emulator.state.calls('sts:AssumeRole'), 1);
    assert.equal(w.emulator.state.calls('StartDeviceAuthorization'), 1);
  });

  it("vault list shows the token by its sso-session name and the role session, as ByteNess aws-vault does", async () => {
    const r = await runVault(['list', '--sessions'], w.env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split('\n').includes('oidc:corp'), r.stdout);
    assert.match(r.stdout, /^sso\.GetRoleCredentials:\d+m\d+s$/m);
    const table = await runVault(['list'], w.env);
    assert.match(table.stdout, /^sso +- +oidc:corp, sso\.GetRoleCredentials:\d+m\d+s +$/m);
    assert.match(table.stdout, /^sso-ro +- +oidc:corp/m);
  });

  it('a 401 from the portal (token revoked) deletes the token and signs in once more', async () => {
    assert.equal((await fetch(`${w.emulator.url}/_emulator/sso/revoke`, { method: 'POST' })).status, 200);
    const r = await withApproval(w.emulator, ['export', '--format=json', 'sso-ro'], w.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).AccessKeyId, /^ASIA/);
    const s = w.emulator.state;
    assert.equal(s.calls('StartDeviceAuthorization'), 2);
    assert.equal(s.calls('RegisterClient'), 1, 'the stored client is reused');
    assert.equal(s.requests.filter((q) => q.action === 'GetRoleCredentials' && q.status === 401).length, 1);
  });

  it('a portal that keeps answering 401 gets one more sign-in, then a one-line error without tokens', async () => {
    w.emulator.state.failNext('sso:GetRoleCredentials', { status: 401, code: 'UnauthorizedException', message: 'Session token not found or invalid', times: 10 });
    try {
      const r = await withApproval(w.emulator, ['export', '--format=json', 'sso-ro'], { ...w.env, AWS_MIN_TTL: '2h' });
      assert.equal(r.code, 1);
      const lines = r.stderr.trimEnd().split('\n');
      assert.match(lines.at(-1) ?? '', new RegExp(`^vault: error: profile sso-ro: sso:GetRoleCredentials for ${START.replace(/[./]/g, '\\$&')} failed: UnauthorizedException: Session token not found or invalid \\(the access portal rejected`));
      assert.equal(lines.filter((l) => l.startsWith('vault: error')).length, 1);
      assert.equal(w.emulator.state.calls('StartDeviceAuthorization'), 3, 'exactly one more sign-in');
      for (const t of w.emulator.sso.oidc.issuedTokens) {
        assert.ok(!r.stderr.includes(t.accessToken) && !(t.refreshToken && r.stderr.includes(t.refreshToken)), 'no token on stderr');
      }
    } finally {
      w.emulator.state.clearFaults();
    }
  });
});

describe('SSO sign-in from parallel processes', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => w.close());

  it('ten parallel exports start one sign-in; the others wait and use the stored token', async () => {
    const profiles = ['sso', 'sso-ro'];
    const runs = Array.from({ length: 10 }, (_, i) => startWatchedVault(['export', '--format=json', profiles[i % 2] as string], w.env, 60_000));
    const approved = new Set<string>();
    for (const running of runs) {
      void running.waitFor(CODE).then(async ([, code]) => {
        if (!approved.has(code as string)) {
          approved.add(code as string);
          await approve(w.emulator, code as string);
        }
      }, () => {});
    }
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assert.equal(w.emulator.state.calls('StartDeviceAuthorization'), 1);
    assert.equal(w.emulator.state.calls('RegisterClient'), 1);
    assert.equal(results.filter((r) => CODE.test(r.stderr)).length, 1, 'one process asked the person');
    assert.equal(new Set(results.map((r) => JSON.parse(r.stdout).AccessKeyId)).size, 2, 'one cached session per profile');
  });
});

describe('SSO refresh tokens', () => {
  let w: World;
  before(async () => {
    // Tokens live 62 s: vault stops using one a minute before it expires, so it counts as expired
    // for vault a few seconds after it is issued.
    w = await world({ tokenTtlSeconds: 62 });
  });
  after(() => w.close());

  it('renews an expired access token with the refresh token instead of signing in again', async () => {
    const first = await withApproval(w.emulator, ['export', '--format=json', 'sso'], w.env);
    assert.equal(first.code, 0, first.stderr);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    w.emulator.state.advanceClock(5 * 60 * 1000); // and at the emulator too: the old token is refused
    const r = await runVault(['export', '--format=json', 'sso-ro'], w.env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, CODE);
    assert.equal(grants(w.emulator, 'refresh_token'), 1);
    assert.equal(w.emulator.state.calls('StartDeviceAuthorization'), 1);
    assert.equal(w.emulator.state.requests.filter((q) => q.action === 'GetRoleCredentials' && q.status !== 200).length, 0, 'the expired token was never sent');
  });
});

describe('SSO sign-in errors', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => w.close());

  it('slow_down makes vault poll 5 s more slowly, and the sign-in still completes', async () => {
    await fetch(`${w.emulator.url}/_emulator/sso/slow-down?times=1`, { method: 'POST' });
    const r = await withApproval(w.emulator, ['export', '--format=json', 'sso'], w.env);
    assert.equal(r.code, 0, r.stderr);
    const polls = w.emulator.state.requests.filter((q) => q.action === 'CreateToken');
    const slowDown = polls.findIndex((q) => q.errorCode === 'SlowDownException');
    const next = polls[slowDown + 1];
    assert.ok(slowDown >= 0 && next, 'vault polled again after slow_down');
    assert.ok(next.at - (polls[slowDown]?.at ?? 0) >= 5_500, `waited ${next.at - (polls[slowDown]?.at ?? 0)} ms`);
  });

  it('a denied request ends with one line naming the profile and start URL', async () => {
    assert.equal((await runVault(['clear'], w.env)).code, 0);
    const running = startWatchedVault(['export', '--format=json', 'sso-ro'], w.env);
    const [, code] = await running.waitFor(CODE);
    assert.equal((await fetch(`${w.emulator.url}/_emulator/sso/deny?user_code=${code}`, { method: 'POST' })).status, 200);
    const r = await running.done;
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`\\nvault: error: profile sso-ro: the SSO sign-in request for ${START.replace(/[./]/g, '\\$&')} was denied in the browser \\(run the command again and allow the request\\)\\n$`));
  });

  it('expired_token ends with one line, not a hang', async () => {
    assert.equal((await runVault(['clear'], w.env)).code, 0);
    const running = startWatchedVault(['export', '--format=json', 'sso-ro'], w.env);
    await running.waitFor(CODE);
    w.emulator.state.advanceClock(601_000);
    const r = await running.done;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\nvault: error: profile sso-ro: the SSO sign-in request for \S+ expired before it was approved \(run the command again and approve the request within 10m0s\)\n$/);
  });
});

describe('SSO with PKCE: the test is the browser', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => w.close());

  it('signs in through the authorize redirect to the loopback listener, refusing a wrong state', async () => {
    const running = startWatchedVault(['export', '--format=json', 'sso'], { ...w.env, AWS_VAULT_SSO_FLOW: 'pkce' });
    const [, url] = await running.waitFor(AUTHORIZE);
    const authorize = new URL(url as string);
    const redirectUri = authorize.searchParams.get('redirect_uri') as string;
    assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    const forged = await fetch(`${redirectUri}?code=forged&state=not-the-state`);
    assert.equal(forged.status, 400);

    const atIdc = await fetch(authorize, { redirect: 'manual' });
    assert.equal(atIdc.status, 302);
    const back = await fetch(atIdc.headers.get('location') as string);
    assert.equal(back.status, 200);
    assert.match(await back.text(), /You can close this tab/);

    const r = await running.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).AccessKeyId, /^ASIA/);
    assert.equal(w.emulator.state.calls('StartDeviceAuthorization'), 0);
    assert.equal(grants(w.emulator, 'authorization_code'), 1);
    const [client] = w.emulator.sso.oidc.registeredClients;
    assert.deepEqual(client?.grantTypes, ['authorization_code', 'refresh_token']);
    assert.equal(client?.issuerUrl, START);
  });
});

describe('SSO token shared with the AWS CLI cache (vault_sso_cache = true)', () => {
  let w: World;
  let dataPath: string;
  before(async () => {
    w = await world({ extraSession: 'vault_sso_cache = true\n' });
    // Debian's AWS CLI 2.9 ignores endpoint settings for the SSO portal; its endpoint rules are data
    // files, and AWS_DATA_PATH adds ours, which send every sso call to the emulator.
    dataPath = join(w.home.dir, 'aws-data');
    const rules = JSON.parse(readFileSync('/usr/lib/python3/dist-packages/awscli/botocore/data/sso/2019-06-10/endpoint-rule-set-1.json', 'utf8'));
    rules.rules = [{ conditions: [], endpoint: { url: w.emulator.url, properties: {}, headers: {} }, type: 'endpoint' }];
    mkdirSync(join(dataPath, 'sso', '2019-06-10'), { recursive: true });
    writeFileSync(join(dataPath, 'sso', '2019-06-10', 'endpoint-rule-set-1.json'), JSON.stringify(rules));
  });
  after(() => w.close());

  it('writes ~/.aws/sso/cache/<sha1 of the session name>.json (0600, dir 0700) that /usr/bin/aws and the SDK use', async () => {
    const r = await withApproval(w.emulator, ['export', '--format=json', 'sso'], w.env);
    assert.equal(r.code, 0, r.stderr);
    const dir = join(w.home.dir, '.aws', 'sso', 'cache');
    const file = join(dir, `${createHash('sha1').update('corp').digest('hex')}.json`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const cached = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(Object.keys(cached).sort(), ['accessToken', 'clientId', 'clientSecret', 'expiresAt', 'refreshToken', 'region', 'registrationExpiresAt', 'startUrl']);
    assert.equal(cached.startUrl, START);
    assert.equal(cached.region, 'eu-west-1');
    assert.equal(w.emulator.sso.oidc.validToken(cached.accessToken)?.startUrl, START);

    const before = w.emulator.state.calls('GetRoleCredentials');
    const cli = await run(awsBin, ['configure', 'export-credentials', '--profile', 'sso', '--format', 'process'], { ...w.home.env, AWS_DATA_PATH: dataPath });
    assert.equal(cli.code, 0, cli.stderr);
    const fromCli = JSON.parse(cli.stdout);
    assert.equal(w.emulator.state.session(fromCli.AccessKeyId)?.roleSessionName, 'alice@example.com');
    assert.equal(w.emulator.state.calls('GetRoleCredentials'), before + 1, 'the AWS CLI called the portal with the shared token');

    // The AWS SDK's own SSO provider, resolved from the repository's node_modules.
    const sdkScript = `import { createRequire } from 'node:module';
      const require = createRequire(${JSON.stringify(join(repoRoot, 'package.json'))});
      const { fromSSO } = await import(require.resolve('@aws-sdk/credential-provider-sso'));
      const c = await fromSSO({ profile: 'sso', clientConfig: { endpoint: process.env.EMULATOR_URL } })();
      process.stdout.write(c.accessKeyId);`;
    const sdk = await run(process.execPath, ['--input-type=module', '-e', sdkScript], { ...w.home.env, EMULATOR_URL: w.emulator.url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    assert.equal(sdk.code, 0, sdk.stderr);
    assert.match(sdk.stdout, /^ASIA/);
  });

  it('takes a token from the AWS CLI cache instead of signing in when vault has none', async () => {
    assert.equal((await runVault(['clear'], w.env)).code, 0);
    const r = await runVault(['export', '--format=json', 'sso-ro'], w.env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, CODE);
    assert.equal(w.emulator.state.calls('StartDeviceAuthorization'), 1);
  });
});
