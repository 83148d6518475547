import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CreatedMfaDevice } from '../emulator/state.js';
import { connectionRefused, rawRequest, type RawOutcome } from '../helpers/rawHttp.js';
import { awsBin, vaultBin } from '../helpers/paths.js';
import { assertOneLineError, run, runVault } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';
import { awsCommand, QUIET_SDK_ENV, sdkCommand } from '../helpers/serverClients.js';
import { startWatchedVault, type WatchedVault } from '../helpers/watchedVault.js';
import { startShortRoleScenario } from '../helpers/shortRoleScenario.js';

interface State {
  url: string;
  token: string;
  pid: number;
  tls: boolean;
  imdsUrl?: string;
}

/** A `vault serve` running in the background, as a user starts it. */
interface Daemon {
  vault: WatchedVault;
  state: State;
  statePath: string;
  stop(): Promise<void>;
}

const arnsIn = (text: string): string[] => [...text.matchAll(/"Arn":\s*"([^"]+)"/g)].map((m) => m[1] as string);
const status = (outcome: RawOutcome): number | string => ('status' in outcome ? outcome.status : outcome.error);

describe('vault serve: one credential daemon for every profile', () => {
  let s: Scenario;
  let roleArn: string;
  let opsArn: string;
  let env: Record<string, string>;
  let statePath: string;
  let daemon: Daemon;

  /** Starts `vault serve` and waits for its state file. */
  async function startServe(args: string[], extraEnv: Record<string, string> = {}): Promise<Daemon> {
    const daemonEnv = { ...env, ...extraEnv };
    const vault = startWatchedVault(['serve', ...args], daemonEnv, 120_000);
    await vault.waitFor(/vault serve: state in /);
    const path = extraEnv['XDG_RUNTIME_DIR'] === undefined ? statePath : join(extraEnv['XDG_RUNTIME_DIR'], 'vault', 'serve.json');
    const state = JSON.parse(readFileSync(path, 'utf8')) as State;
    return {
      vault,
      state,
      statePath: path,
      stop: async () => {
        try {
          process.kill(state.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        await vault.done;
      },
    };
  }

  /** A GET with the token, through fetch (keep-alive off). */
  async function get(url: string, token: string | undefined): Promise<{ status: number; body: string }> {
    const r = await fetch(url, { headers: token === undefined ? {} : { Authorization: token } });
    return { status: r.status, body: await r.text() };
  }

  /** Clients pointed at the daemon for one path, printing their identities. */
  function clientsEnv(path: string, state: State): Record<string, string> {
    return { ...env, ...QUIET_SDK_ENV, AWS_REGION: 'us-east-1', AWS_CONTAINER_CREDENTIALS_FULL_URI: `${state.url}${path}`, AWS_CONTAINER_AUTHORIZATION_TOKEN: state.token };
  }

  before(async () => {
    s = await startScenario();
    roleArn = s.emulator.state.createRole({ name: 'deploy', trustedPrincipals: [s.user.arn] }).arn;
    opsArn = s.emulator.state.createRole({ name: 'ops', trustedPrincipals: [s.user.arn] }).arn;
    const common = `region = us-east-1\nendpoint_url = ${s.emulator.url}\n`;
    s.home.writeConfig(`[profile dev]\n${common}\n[profile deployer]\nsource_profile = dev\nrole_arn = ${roleArn}\n${common}\n[profile ops]\nsource_profile = dev\nrole_arn = ${opsArn}\n${common}`);
    const runDir = join(s.home.dir, 'run');
    mkdirSync(runDir, { mode: 0o700 });
    env = { ...s.home.env, XDG_RUNTIME_DIR: runDir };
    statePath = join(runDir, 'vault', 'serve.json');
    // --debug: everything the daemon logs while the tests below use it is checked for secrets at SIGTERM.
    daemon = await startServe(['--debug', '--role-profile', 'dev']);
  });
  after(async () => {
    await daemon?.stop();
    await s.close();
  });

  it('publishes url, token and pid in a 0600 state file, and prints the URL but never the token', async () => {
    const { state, vault } = daemon;
    assert.match(state.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(state.tls, false);
    assert.ok(state.token.length >= 43, 'at least 32 random bytes');
    assert.equal(statSync(statePath).mode & 0o777, 0o600);
    const printed = await vault.waitFor(/listening on (\S+)/);
    assert.equal(printed[1], state.url);
    const env2 = await runVault(['serve', 'env', '--format', 'export-env', 'deployer'], env);
    assert.equal(env2.code, 0, env2.stderr);
    const unsets = 'unset AWS_ACCESS_KEY_ID\nunset AWS_SECRET_ACCESS_KEY\nunset AWS_SESSION_TOKEN\nunset AWS_CREDENTIAL_EXPIRATION\n';
    assert.equal(env2.stdout, `${unsets}export AWS_CONTAINER_CREDENTIALS_FULL_URI=${state.url}/profile/deployer\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN=${state.token}\n`);
    const plain = await runVault(['serve', 'env', 'deployer'], env);
    assert.equal(plain.stdout, `AWS_CONTAINER_CREDENTIALS_FULL_URI=${state.url}/profile/deployer\nAWS_CONTAINER_AUTHORIZATION_TOKEN=${state.token}\n`, 'env (docker --env-file) cannot unset: only the two variables');
  });

  it('the AWS CLI and the SDK default chain get the identities of two profiles (keys, and an AssumeRole profile) and of /role-arn/', async () => {
    const { state } = daemon;
    const url = s.emulator.url;
    const script = [awsCommand(url), sdkCommand(url)].join(' && ');
    const dev = await run('sh', ['-c', script], clientsEnv('/profile/dev', state));
    assert.equal(dev.code, 0, dev.stderr);
    assert.deepEqual(arnsIn(dev.stdout), [s.user.arn, s.user.arn]);
    const assumeBefore = s.emulator.state.calls('sts:AssumeRole');
    const deployer = await run('sh', ['-c', script], clientsEnv('/profile/deployer', state));
    assert.equal(deployer.code, 0, deployer.stderr);
    const arns = arnsIn(deployer.stdout);
    assert.equal(arns.length, 2, deployer.stdout);
    for (const arn of arns) assert.match(arn, /^arn:aws:sts::123456789012:assumed-role\/deploy\/\d+$/);
    assert.equal(s.emulator.state.calls('sts:AssumeRole'), assumeBefore + 1, 'the second client got the held credentials');
    const role = await run('sh', ['-c', script], clientsEnv(`/role-arn/${opsArn}`, state));
    assert.equal(role.code, 0, role.stderr);
    for (const arn of arnsIn(role.stdout)) assert.match(arn, /:assumed-role\/ops\//);
    assert.equal(arnsIn(role.stdout).length, 2);
  });

  it('parallel first requests for one profile make one STS call', async () => {
    const before = s.emulator.state.calls('sts:AssumeRole');
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(`${daemon.state.url}/profile/ops`, daemon.state.token)));
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    assert.equal(new Set(answers.map((a) => JSON.parse(a.body).AccessKeyId)).size, 1);
    assert.equal(s.emulator.state.calls('sts:AssumeRole'), before + 1);
  });

  it('refuses bad and missing tokens, wrong Hosts, other methods, traversal and unknown profiles, in one-line JSON that echoes nothing secret', async () => {
    const { url, token } = daemon.state;
    const port = new URL(url).port;
    const ask = (path: string, headers: Array<[string, string]>, method = 'GET') => rawRequest(url, { method, path, headers });
    const good: Array<[string, string]> = [['Host', `127.0.0.1:${port}`], ['Authorization', token]];
    const cases: Array<[string, Promise<RawOutcome>, number]> = [
      ['no token', ask('/profile/dev', [['Host', `127.0.0.1:${port}`]]), 403],
      ['wrong token', ask('/profile/dev', [['Host', `127.0.0.1:${port}`], ['Authorization', `${token.slice(0, -1)}x`]]), 403],
      ['Bearer token', ask('/profile/dev', [['Host', `127.0.0.1:${port}`], ['Authorization', `Bearer ${token}`]]), 403],
      ['wrong Host', ask('/profile/dev', [['Host', `evil.example:${port}`], ['Authorization', token]]), 403],
      ['POST', ask('/profile/dev', good, 'POST'), 405],
      ['traversal ..', ask('/profile/../profile/dev', good), 400],
      ['traversal %2e%2e', ask('/profile/%2e%2e/profile/dev', good), 400],
      ['traversal %2f', ask('/profile/dev%2f..%2f..%2fetc%2fpasswd', good), 400],
      ['double encoding', ask('/profile/%252e%252e', good), 400],
      ['bad ARN', ask('/role-arn/arn:aws:iam::123:role/x', good), 400],
      ['no route', ask('/', good), 404],
      ['unknown profile', ask('/profile/nosuch', good), 404],
      ['localhost Host', ask('/profile/dev', [['Host', `localhost:${port}`], ['Authorization', token]]), 200],
    ];
    const secret = s.user.secretAccessKey;
    for (const [label, outcome, expected] of cases) {
      const answer = await outcome;
      assert.equal(status(answer), expected, label);
      if (!('status' in answer) || expected === 200) continue;
      assert.match(answer.body, /^\{"Message":"[^"\n]+"\}\n$/, label);
      assert.ok(!answer.body.includes(token) && !answer.body.includes(secret) && !answer.body.includes('passwd'), `${label} leaks nothing`);
    }
    const unknown = await ask('/profile/nosuch', good);
    assert.match('body' in unknown ? unknown.body : '', /profile nosuch not found/);
  });

  it('exec --attach points the command at the daemon: no keys in its environment and no STS call by exec', async () => {
    await get(`${daemon.state.url}/profile/deployer`, daemon.state.token);
    const stsCalls = () => [s.emulator.state.calls('sts:AssumeRole'), s.emulator.state.calls('sts:GetSessionToken')];
    const calls = stsCalls();
    const script = `printf '%s|%s\\n' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "\${AWS_ACCESS_KEY_ID:-nokey}"; ${awsCommand(s.emulator.url)}`;
    const r = await runVault(['exec', '--attach', 'deployer', '--', 'sh', '-c', script], { ...env, ...QUIET_SDK_ENV, AWS_ACCESS_KEY_ID: fakeAccessKeyId('inherited') });
    assert.equal(r.code, 0, r.stderr);
    const [line, ...rest] = r.stdout.split('\n');
    assert.equal(line, `${daemon.state.url}/profile/deployer|nokey`);
    assert.match(arnsIn(rest.join('\n'))[0] ?? '', /:assumed-role\/deploy\//);
    assert.deepEqual(stsCalls(), calls, 'held by the daemon: nobody called STS for credentials');
    const code = await runVault(['exec', '--attach', 'dev', '--', 'sh', '-c', 'exit 9'], env);
    assert.equal(code.code, 9);
  });

  it('`vault use <profile> --serve` points a shell at the daemon: every aws call asks it, stale keys are gone (bash, fish, nu)', async () => {
    const bin = join(s.home.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'vault'))) symlinkSync(vaultBin, join(bin, 'vault'));
    const shellEnv = { ...env, ...QUIET_SDK_ENV, PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, AWS_ACCESS_KEY_ID: fakeAccessKeyId('stale') };
    const aws = `${awsBin} sts get-caller-identity --endpoint-url ${s.emulator.url} --query Arn --output text`;
    const nu = join(dirname(createRequire(import.meta.url).resolve('@nushell/linux-x64/package.json')), 'bin', 'nu');
    // nu resolves `source` when it parses the script, so the file must exist before nu starts.
    const nuInit = join(s.home.dir, 'init.nu');
    writeFileSync(nuInit, (await runVault(['shell-init', 'nu'], shellEnv)).stdout);
    const scripts: Array<[string, string[]]> = [
      ['bash', ['-c', `eval "$(vault shell-init bash)"; vault use deployer --serve || exit 9; echo "URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI KEY=\${AWS_ACCESS_KEY_ID:-none}"; ${aws}`]],
      ['/usr/bin/fish', ['-c', `vault shell-init fish | source; vault use deployer --serve; or exit 9; echo "URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI KEY=$AWS_ACCESS_KEY_ID"; ${aws}`]],
      [nu, ['--no-config-file', '-c', `source ${nuInit}; vault use deployer --serve; print $"URI=($env.AWS_CONTAINER_CREDENTIALS_FULL_URI) KEY=($env.AWS_ACCESS_KEY_ID? | default 'none')"; ^${awsBin} sts get-caller-identity --endpoint-url ${s.emulator.url} --query Arn --output text`]],
    ];
    for (const [shell, args] of scripts) {
      const r = await run(shell, args, shellEnv);
      assert.equal(r.code, 0, `${shell}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^URI=${daemon.state.url}/profile/deployer KEY=(none)?$`, 'm'), shell);
      assert.match(r.stdout, /:assumed-role\/deploy\//, `${shell}: the AWS CLI got the role's identity from the daemon`);
    }
    const noDaemon = await runVault(['export', '--serve', 'deployer'], { ...env, XDG_RUNTIME_DIR: join(s.home.dir, 'no-daemon-here') });
    assertOneLineError(noDaemon, /no vault serve is running/);
    const json = await runVault(['export', '--serve', '--format=json', 'deployer'], env);
    assertOneLineError(json, /Can't use --serve with --format=json/);
  });

  it('a second vault serve is refused in one line naming the running one; exec --attach without a daemon is one line too', async () => {
    const second = await runVault(['serve'], env);
    assertOneLineError(second, new RegExp(`vault serve is already running \\(pid ${daemon.state.pid}, ${daemon.state.url.replace(/\./g, '\\.')}\\)`));
    const otherRun = join(s.home.dir, 'run-empty');
    mkdirSync(otherRun, { mode: 0o700 });
    const none = await runVault(['exec', '--attach', 'dev', '--', 'true'], { ...env, XDG_RUNTIME_DIR: otherRun });
    assertOneLineError(none, /profile dev: --attach needs a running vault serve/);
  });

  it('--docker without a docker0 bridge is one line', { skip: networkInterfaces()['docker0'] ? 'this machine has docker0' : false }, async () => {
    const r = await runVault(['serve', '--docker'], { ...env, XDG_RUNTIME_DIR: join(s.home.dir, 'run-docker') });
    assertOneLineError(r, /--docker: this machine has no docker0 network interface/);
  });

  // A docker0 bridge made in a network namespace of the test's own (`unshare -n`, root only, as CI
  // runs), so the daemon binds it for real; nothing changes in the machine's own network. The profile
  // is a credential_process one: the emulator is not reachable from inside the namespace.
  it('--docker listens on the docker0 bridge and answers Host: host.docker.internal with the token', { skip: process.getuid?.() === 0 ? false : 'creating a network namespace needs root' }, async () => {
    const dir = join(s.home.dir, 'docker-ns');
    mkdirSync(join(dir, 'run'), { recursive: true, mode: 0o700 });
    const keyId = fakeAccessKeyId('docker');
    writeFileSync(join(dir, 'cp.mjs'), `console.log(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(keyId)}, SecretAccessKey: 's'.repeat(40), SessionToken: 'token', Expiration: new Date(Date.now() + 3600000).toISOString() }));\n`);
    const config = join(dir, 'config');
    writeFileSync(config, `[profile cp]\nregion = us-east-1\ncredential_process = ${process.execPath} ${join(dir, 'cp.mjs')}\n`);
    const state = join(dir, 'run', 'vault', 'serve.json');
    const fetchScript = join(dir, 'fetch.mjs');
    writeFileSync(fetchScript, `import { readFileSync } from 'node:fs';
import { request } from 'node:http';
const state = JSON.parse(readFileSync(${JSON.stringify(state)}, 'utf8'));
const port = new URL(state.dockerUrl).port;
const get = (host, token) => new Promise((resolve, reject) => {
  const req = request({ host: '172.17.0.1', port, path: '/profile/cp', headers: { Host: host, ...(token ? { Authorization: token } : {}) } }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => resolve({ status: res.statusCode, body }));
  });
  req.on('error', reject);
  req.end();
});
console.log(JSON.stringify({ dockerUrl: state.dockerUrl, good: await get('host.docker.internal:' + port, state.token), noToken: await get('host.docker.internal:' + port), badHost: await get('evil.example:' + port, state.token) }));
`);
    const vault = `${process.execPath} ${vaultBin}`;
    const script = [
      'set -e',
      'ip link set lo up',
      'ip link add docker0 type bridge',
      'ip addr add 172.17.0.1/16 dev docker0',
      'ip link set docker0 up',
      `${vault} serve --docker 2>${join(dir, 'serve.err')} & pid=$!`,
      `for i in $(seq 200); do [ -s ${state} ] && break; sleep 0.05; done`,
      `${process.execPath} ${fetchScript}`,
      `${vault} serve env --docker cp`,
      'kill -TERM $pid; wait $pid || true',
    ].join('\n');
    const r = await run('unshare', ['-n', 'sh', '-c', script], { ...s.home.env, AWS_CONFIG_FILE: config, XDG_RUNTIME_DIR: join(dir, 'run'), AWS_VAULT_BACKEND: 'file' });
    assert.equal(r.code, 0, `${r.stderr}\n${existsSync(join(dir, 'serve.err')) ? readFileSync(join(dir, 'serve.err'), 'utf8') : ''}`);
    const [first, ...envLines] = r.stdout.trim().split('\n');
    const seen = JSON.parse(first as string) as { dockerUrl: string; good: { status: number; body: string }; noToken: { status: number }; badHost: { status: number } };
    assert.match(seen.dockerUrl, /^http:\/\/host\.docker\.internal:\d+$/);
    assert.equal(seen.good.status, 200, seen.good.body);
    assert.equal(JSON.parse(seen.good.body).AccessKeyId, keyId);
    assert.equal(seen.noToken.status, 403);
    assert.notEqual(seen.badHost.status, 200, 'a Host the daemon does not serve is refused');
    assert.equal(envLines[0], `AWS_CONTAINER_CREDENTIALS_FULL_URI=${seen.dockerUrl}/profile/cp`);
    assert.equal(existsSync(state), false, 'SIGTERM removed the state file');
  });

  it('SIGTERM removes the state file and closes the port; the next daemon may start (~/.awsvault without XDG_RUNTIME_DIR)', async () => {
    const port = Number(new URL(daemon.state.url).port);
    const served = JSON.parse((await get(`${daemon.state.url}/profile/deployer`, daemon.state.token)).body) as { SecretAccessKey: string; Token: string };
    process.kill(daemon.state.pid, 'SIGTERM');
    const done = await daemon.vault.done;
    assert.equal(done.code, 0, `${done.signal} ${done.stderr}`);
    assert.ok(!done.stderr.includes(daemon.state.token), 'the token was never printed');
    assert.match(done.stderr, /using backend|re-using cached credentials|fetching/i, 'the daemon ran with --debug');
    for (const secret of [s.user.secretAccessKey, served.SecretAccessKey, served.Token]) {
      assert.equal(done.stderr.includes(secret), false, `a secret (${secret.slice(0, 4)}…) reached the debug output`);
    }
    assert.equal(existsSync(statePath), false);
    assert.equal(await connectionRefused(port), true);
    const noXdg = { ...s.home.env };
    delete noXdg['XDG_RUNTIME_DIR'];
    const vault = startWatchedVault(['serve'], noXdg, 60_000);
    await vault.waitFor(/state in /);
    const home = join(s.home.dir, '.awsvault', 'serve.json');
    const state = JSON.parse(readFileSync(home, 'utf8')) as State;
    assert.equal(statSync(home).mode & 0o777, 0o600);
    process.kill(state.pid, 'SIGINT');
    const stopped = await vault.done;
    assert.equal(stopped.code, 0, `${stopped.signal} ${stopped.stderr}`);
    assert.equal(existsSync(home), false);
    daemon = await startServe(['--role-profile', 'dev']);
  });
});

describe('vault serve over TLS and with IMDSv2', () => {
  let s: Scenario;
  let env: Record<string, string>;
  let certFile: string;
  before(async () => {
    s = await startScenario();
    const runDir = join(s.home.dir, 'run');
    mkdirSync(runDir, { mode: 0o700 });
    env = { ...s.home.env, ...QUIET_SDK_ENV, XDG_RUNTIME_DIR: runDir };
    certFile = join(s.home.dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(s.home.dir, 'key.pem'), '-out', certFile], { stdio: 'ignore' });
  });
  after(() => s.close());

  it('serves HTTPS with --tls-cert/--tls-key: the SDK trusts it through NODE_EXTRA_CA_CERTS, plain HTTP gets nothing', async () => {
    const vault = startWatchedVault(['serve', '--tls-cert', certFile, '--tls-key', join(s.home.dir, 'key.pem')], env, 60_000);
    const [, url] = (await vault.waitFor(/listening on (https:\/\/127\.0\.0\.1:\d+)/)) as unknown as [string, string];
    await vault.waitFor(/state in /);
    const state = JSON.parse(readFileSync(join(env['XDG_RUNTIME_DIR'] as string, 'vault', 'serve.json'), 'utf8')) as State;
    try {
      assert.equal(state.tls, true);
      assert.equal(state.url, url);
      const clients = { ...env, AWS_CONTAINER_CREDENTIALS_FULL_URI: `${url}/profile/dev`, AWS_CONTAINER_AUTHORIZATION_TOKEN: state.token };
      const sdk = await run('sh', ['-c', sdkCommand(s.emulator.url)], { ...clients, NODE_EXTRA_CA_CERTS: certFile });
      assert.equal(sdk.code, 0, sdk.stderr);
      assert.deepEqual(arnsIn(sdk.stdout), [s.user.arn]);
      const untrusted = await run('sh', ['-c', sdkCommand(s.emulator.url)], clients);
      assert.notEqual(untrusted.code, 0, 'without the CA the SDK refuses the certificate');
      const plain = await rawRequest(url, { path: '/profile/dev', headers: [['Host', new URL(url).host], ['Authorization', state.token]] });
      assert.notEqual(status(plain), 200);
      // Debian's AWS CLI 2.9.19 is not a client here: it checks container-endpoint certificates against the
      // CA file inside its own package and ignores AWS_CA_BUNDLE for them (docs/commands/serve.md).
    } finally {
      process.kill(state.pid, 'SIGTERM');
      await vault.done;
    }
  });

  it('--imds-port serves IMDSv2 for --imds-profile; the AWS CLI reads it through AWS_EC2_METADATA_SERVICE_ENDPOINT', async () => {
    const vault = startWatchedVault(['serve', '--imds-port', '0', '--imds-profile', 'dev', '--imds-v2-only'], env, 60_000);
    const [, endpoint] = (await vault.waitFor(/AWS_EC2_METADATA_SERVICE_ENDPOINT=(\S+)\)/)) as unknown as [string, string];
    await vault.waitFor(/state in /);
    const state = JSON.parse(readFileSync(join(env['XDG_RUNTIME_DIR'] as string, 'vault', 'serve.json'), 'utf8')) as State;
    try {
      const imdsEnv: Record<string, string> = { ...env, AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint, AWS_REGION: 'us-east-1' };
      delete imdsEnv['AWS_EC2_METADATA_DISABLED'];
      const aws = await run('sh', ['-c', awsCommand(s.emulator.url)], imdsEnv);
      assert.equal(aws.code, 0, aws.stderr);
      assert.deepEqual(arnsIn(aws.stdout), [s.user.arn]);
      const v1 = await fetch(new URL('latest/meta-data/iam/security-credentials/local-credentials', endpoint));
      assert.equal(v1.status, 401, 'IMDSv1 refused with --imds-v2-only');
      assert.equal(state.imdsUrl, endpoint.replace(/\/$/, ''));
    } finally {
      process.kill(state.pid, 'SIGTERM');
      await vault.done;
    }
  });
});

describe('vault serve refreshes before expiry without a prompt', () => {
  let s: Scenario;
  let device: CreatedMfaDevice;
  const LIFETIME_S = 10;
  before(async () => {
    ({ s, device } = await startShortRoleScenario(LIFETIME_S));
  });
  after(() => s.close());

  it('replaces the held role credentials in the background before they expire, with no request and no second MFA code', async () => {
    writeFileSync(join(s.home.dir, 'mfa-code'), device.code());
    const runDir = join(s.home.dir, 'run');
    mkdirSync(runDir, { mode: 0o700 });
    // AWS_MIN_TTL widens the refresh window to 5 s of the 10 s lifetime.
    const env = { ...s.home.env, XDG_RUNTIME_DIR: runDir, AWS_MIN_TTL: '5s' };
    const vault = startWatchedVault(['serve', '--debug'], env, 60_000);
    await vault.waitFor(/state in /);
    const state = JSON.parse(readFileSync(join(runDir, 'vault', 'serve.json'), 'utf8')) as State;
    try {
      const first = JSON.parse((await get(`${state.url}/profile/admin`, state.token)).body) as { AccessKeyId: string; Expiration: string };
      const assumed = s.emulator.state.calls('sts:AssumeRole');
      const expiresAt = Date.parse(first.Expiration);
      // Wait past the refresh time (half the lifetime at most) but not past expiry, with no request.
      await vault.waitFor(/profile admin: refreshing in the background/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(s.emulator.state.calls('sts:AssumeRole'), assumed + 1, 'refreshed with no request');
      assert.ok(Date.now() < expiresAt, 'before the held credentials expired');
      const second = JSON.parse((await get(`${state.url}/profile/admin`, state.token)).body) as { AccessKeyId: string; Expiration: string };
      assert.notEqual(second.AccessKeyId, first.AccessKeyId);
      assert.ok(Date.parse(second.Expiration) > expiresAt);
      assert.equal(s.emulator.state.calls('sts:AssumeRole'), assumed + 1, 'the request got the refreshed credentials without a call');
      assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 1, 'the MFA session was reused');
      assert.equal(readFileSync(join(s.home.dir, 'mfa-calls'), 'utf8'), 'x\n', 'one MFA code');
    } finally {
      process.kill(state.pid, 'SIGTERM');
      await vault.done;
    }
  });

  async function get(url: string, token: string): Promise<{ status: number; body: string }> {
    const r = await fetch(url, { headers: { Authorization: token } });
    return { status: r.status, body: await r.text() };
  }
});
