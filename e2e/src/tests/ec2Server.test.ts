import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectionRefused } from '../helpers/rawHttp.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { awsCommand, helperCommand, QUIET_SDK_ENV, sdkCommand } from '../helpers/serverClients.js';

const CREDS_PATH = '/latest/meta-data/iam/security-credentials/local-credentials';

/** A child line that GETs the credentials without a token (IMDSv1) and prints the status. */
const V1_PROBE = `fetch(new URL(${JSON.stringify(CREDS_PATH)}, process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT)).then(async (r) => console.log('v1', r.status, (await r.text()).includes('AWS-HMAC')))`;

describe('vault exec --ec2-server on a user port with real clients', () => {
  let s: Scenario;
  const vault = (args: string[], env: Record<string, string> = {}) => s.vault(args, { ...QUIET_SDK_ENV, ...env });
  before(async () => {
    s = await startScenario();
  });
  after(() => s.close());

  it('the AWS CLI and the SDK (IMDSv2 by default, and with v1 disabled) use it through AWS_EC2_METADATA_SERVICE_ENDPOINT; plain v1 works too', async () => {
    const url = s.emulator.url;
    const script = [
      'set -e',
      `printf '%s|%s|%s|%s|%s\\n' "$AWS_EC2_METADATA_SERVICE_ENDPOINT" "$AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE" "\${AWS_EC2_METADATA_DISABLED:-enabled}" "\${AWS_ACCESS_KEY_ID:-nokey}" "$AWS_VAULT"`,
      awsCommand(url),
      sdkCommand(url),
      `AWS_EC2_METADATA_V1_DISABLED=true ${sdkCommand(url)}`,
      `${JSON.stringify(process.execPath)} -e ${JSON.stringify(V1_PROBE)}`,
    ].join('\n');
    const r = await vault(['exec', '--debug', '--ec2-server', '--ec2-server-port', '0', 'dev', '--', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    const [envLine, ...rest] = r.stdout.split('\n');
    assert.match(envLine ?? '', /^http:\/\/127\.0\.0\.1:\d+\/\|IPv4\|enabled\|nokey\|dev$/);
    const arns = [...rest.join('\n').matchAll(/"Arn":\s*"([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(arns, [s.user.arn, s.user.arn, s.user.arn]);
    assert.match(r.stdout, /^v1 200 true$/m);
    assert.ok((r.stderr.match(/: 200 PUT \/latest\/api\/token /g) ?? []).length >= 3, 'all three clients fetched an IMDSv2 token');
    assert.match(r.stderr, /Warning: Starting a local EC2 credential server on 127\.0\.0\.1:\d+; AWS credentials will be accessible to any process while it is running/);
  });

  it('the SDK falls back to IMDSv1 when the token request fails, and that works', async () => {
    const out = join(s.home.dir, 'shim.json');
    const r = await vault(['exec', '--ec2-server', '--ec2-server-port', '0', 'dev', '--', 'sh', '-c', `${helperCommand('imdsV1Shim', [out, '--', 'sh', '-c', sdkCommand(s.emulator.url)])}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, s.user.arn);
    const seen = JSON.parse(readFileSync(out, 'utf8'));
    assert.ok(seen.tokenRequests >= 1 && seen.relayed >= 2, JSON.stringify(seen));
    assert.equal(seen.relayedWithToken, 0, 'every credential request was IMDSv1');
  });

  it('--imds-v2-only (or AWS_VAULT_IMDS_V2_ONLY) refuses v1 and still serves the SDK and the AWS CLI', async () => {
    const url = s.emulator.url;
    const out = join(s.home.dir, 'shim-v2only.json');
    const script = [
      `${JSON.stringify(process.execPath)} -e ${JSON.stringify(V1_PROBE)}`,
      sdkCommand(url),
      awsCommand(url),
      `${helperCommand('imdsV1Shim', [out, '--', 'sh', '-c', sdkCommand(url)])} || echo "v1 sdk refused"`,
    ].join('\n');
    for (const [flags, env] of [[['--imds-v2-only'], {}], [[], { AWS_VAULT_IMDS_V2_ONLY: 'true' }]] as Array<[string[], Record<string, string>]>) {
      const r = await vault(['exec', '--ec2-server', '--ec2-server-port', '0', ...flags, 'dev', '--', 'sh', '-c', script], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^v1 401 false$/m);
      assert.equal([...r.stdout.matchAll(/"Arn":\s*"([^"]+)"/g)].length, 2, r.stdout);
      assert.match(r.stdout, /^v1 sdk refused$/m);
    }
  });

  it('AWS_VAULT_EC2_SERVER_PORT sets the port; exit codes pass through and no listener is left', async () => {
    const r = await vault(['exec', '--ec2-server', 'dev', '--', 'sh', '-c', 'echo "$AWS_EC2_METADATA_SERVICE_ENDPOINT"; exit 3'], { AWS_VAULT_EC2_SERVER_PORT: '0' });
    assert.equal(r.code, 3, r.stderr);
    const port = Number(new URL(r.stdout.trim()).port);
    assert.ok(port > 0);
    assert.equal(await connectionRefused(port), true);
    const killed = await vault(['exec', '--ec2-server', '--ec2-server-port', '0', 'dev', '--', 'sh', '-c', 'kill -INT $$']);
    assert.equal(killed.code, 130);
  });

  it('a port in use or not a port is one line, and the command does not run', async () => {
    const busy = new URL(s.emulator.url).port;
    const marker = join(s.home.dir, 'ec2-ran');
    for (const [port, pattern] of [
      [busy, new RegExp(`^vault: error: profile dev: cannot listen on 127\\.0\\.0\\.1:${busy} for the EC2 metadata server \\(EADDRINUSE\\)`)],
      ['http', /^vault: error: --ec2-server-port http is not a port number/],
      ['65536', /^vault: error: --ec2-server-port 65536 is not a port number/],
    ] as Array<[string, RegExp]>) {
      const r = await vault(['exec', '--ec2-server', '--ec2-server-port', port, 'dev', '--', 'touch', marker]);
      assert.equal(r.code, 1, port);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(existsSync(marker), false);
  });

  it('the hidden proxy command is not listed in help', async () => {
    const help = await vault(['--help']);
    assert.doesNotMatch(`${help.stdout}${help.stderr}`, /\bproxy\b/);
    const proxyHelp = await vault(['proxy', '--help']);
    assert.equal(proxyHelp.code, 0);
    assert.match(`${proxyHelp.stdout}${proxyHelp.stderr}`, /--stop/);
  });
});
