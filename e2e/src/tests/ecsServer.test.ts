import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CreatedMfaDevice } from '../emulator/state.js';
import { connectionRefused } from '../helpers/rawHttp.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { awsCommand, helperCommand, QUIET_SDK_ENV, sdkCommand } from '../helpers/serverClients.js';
import { startShortRoleScenario } from '../helpers/shortRoleScenario.js';

describe('vault exec --ecs-server with real clients', () => {
  let s: Scenario;
  let roleArn: string;
  let device: CreatedMfaDevice;
  const vault = (args: string[], env: Record<string, string> = {}) => s.vault(args, { ...QUIET_SDK_ENV, ...env });
  before(async () => {
    s = await startScenario();
    device = s.emulator.state.createMfaDevice(s.user.userName);
    roleArn = s.emulator.state.createRole({ name: 'deploy', trustedPrincipals: [s.user.arn] }).arn;
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[profile lazyrole]\nsource_profile = dev\nrole_arn = ${roleArn}\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[profile mfadev]\nsource_profile = dev\nrole_arn = ${roleArn}\nmfa_serial = ${device.serialNumber}\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n`,
    );
  });
  after(() => s.close());

  it('the AWS CLI and the SDK\'s default chain read credentials from the full URI and from /role-arn/, and the child holds no keys', async () => {
    const url = s.emulator.url;
    const roleUri = `"$AWS_CONTAINER_CREDENTIALS_FULL_URI/role-arn/${roleArn}"`;
    const script = [
      'set -e',
      `printf '%s|%s|%s|%s|%s\\n' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "\${#AWS_CONTAINER_AUTHORIZATION_TOKEN}" "\${AWS_ACCESS_KEY_ID:-nokey}\${AWS_SECRET_ACCESS_KEY:-nosecret}\${AWS_SESSION_TOKEN:-notoken}" "$AWS_VAULT" "$AWS_REGION"`,
      awsCommand(url),
      sdkCommand(url),
      `AWS_CONTAINER_CREDENTIALS_FULL_URI=${roleUri} ${awsCommand(url)}`,
      `AWS_CONTAINER_CREDENTIALS_FULL_URI=${roleUri} ${sdkCommand(url)}`,
    ].join('\n');
    const r = await vault(['exec', '--ecs-server', 'dev', '--', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    const [envLine, ...rest] = r.stdout.split('\n');
    assert.match(envLine ?? '', /^http:\/\/127\.0\.0\.1:\d+\|40\|nokeynosecretnotoken\|dev\|us-east-1$/);
    const outputs = rest.join('\n');
    const arns = [...outputs.matchAll(/"Arn":\s*"([^"]+)"/g)].map((m) => m[1]);
    assert.equal(arns.length, 4, outputs);
    assert.equal(arns[0], s.user.arn, 'AWS CLI through the profile\'s credentials');
    assert.equal(arns[1], s.user.arn, 'SDK default chain through the profile\'s credentials');
    assert.match(arns[2] ?? '', /^arn:aws:sts::123456789012:assumed-role\/deploy\/\d+$/, 'AWS CLI through /role-arn/');
    assert.match(arns[3] ?? '', /^arn:aws:sts::123456789012:assumed-role\/deploy\/\d+$/, 'SDK through /role-arn/');
    assert.equal(s.emulator.state.calls('sts:AssumeRole'), 1, 'the role\'s credentials are held for the second client');
  });

  it('-s and --server are aliases; --lazy makes no STS call until the first request', async () => {
    const before = s.emulator.state.calls('sts:AssumeRole');
    const idle = await vault(['exec', '--ecs-server', '--lazy', 'lazyrole', '--', 'true']);
    assert.equal(idle.code, 0, idle.stderr);
    assert.equal(s.emulator.state.calls('sts:AssumeRole'), before, 'lazy and never asked: no call');
    const eager = await vault(['exec', '-s', 'lazyrole', '--', 'true']);
    assert.equal(eager.code, 0, eager.stderr);
    assert.equal(s.emulator.state.calls('sts:AssumeRole'), before + 1, 'not lazy: fetched before the command');
    const asked = await vault(['exec', '--server', '--lazy', 'lazyrole', '--', 'sh', '-c', awsCommand(s.emulator.url)]);
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(JSON.parse(asked.stdout).Arn, /:assumed-role\/deploy\//);
    assert.equal(s.emulator.state.calls('sts:AssumeRole'), before + 2);
  });

  it('passes the exit code through (128+n for a signal) and leaves no listener', async () => {
    const r = await vault(['exec', '--ecs-server', 'dev', '--', 'sh', '-c', 'echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI"; exit 7']);
    assert.equal(r.code, 7, r.stderr);
    const port = Number(new URL(r.stdout.trim()).port);
    assert.equal(await connectionRefused(port), true, 'nothing listens on the port after vault exited');
    const killed = await vault(['exec', '--ecs-server', 'dev', '--', 'sh', '-c', 'kill -TERM $$']);
    assert.equal(killed.code, 143);
  });

  it('refuses aws-vault\'s invalid combinations with one line, before any STS call', async () => {
    const calls = JSON.stringify(s.emulator.state.calls());
    for (const [args, message] of [
      [['--ecs-server', '--no-session'], "Can't use --ecs-server with --no-session"],
      [['-s', '--json'], "Can't use --ecs-server with --json"],
      [['--ec2-server', '--ecs-server'], "Can't use --ec2-server with --ecs-server"],
      [['--ec2-server', '--json'], "Can't use --ec2-server with --json"],
      [['--ec2-server', '-n'], "Can't use --ec2-server with --no-session"],
      [['--ecs-server', '--profile-env'], "Can't use --ecs-server with --profile-env"],
      [['--ec2-server-port', '0'], "Can't use --ec2-server-port without --ec2-server"],
    ] as Array<[string[], string]>) {
      const r = await vault(['exec', ...args, 'dev', '--', 'touch', join(s.home.dir, 'ran')]);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, `vault: error: ${message}\n`, args.join(' '));
    }
    assert.equal(existsSync(join(s.home.dir, 'ran')), false);
    assert.equal(JSON.stringify(s.emulator.state.calls()), calls);
  });

  it('a credential failure before the command is one line naming the profile, and the command does not run', async () => {
    s.emulator.state.failNext('sts:AssumeRole', { status: 403, code: 'AccessDenied', message: 'Not today' });
    const marker = join(s.home.dir, 'started');
    const r = await vault(['exec', '--ecs-server', 'lazyrole', '--', 'touch', marker]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^vault: error: profile lazyrole: sts:AssumeRole failed: AccessDenied: Not today/);
    assert.equal(existsSync(marker), false);
  });

  it('with --lazy, a failure reaches the client as a 500 with a one-line message and no secret', async () => {
    s.emulator.state.failNext('sts:AssumeRole', { status: 403, code: 'AccessDenied', message: 'Not today' });
    const probe = 'fetch(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, { headers: { Authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN } }).then(async (r) => console.log(r.status, await r.text()))';
    const r = await vault(['exec', '--ecs-server', '--lazy', 'lazyrole', '--', process.execPath, '-e', probe]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^500 \{"Message":"profile lazyrole: sts:AssumeRole failed: AccessDenied: Not today"\}\n/);
    assert.ok(!r.stdout.includes(s.user.secretAccessKey), 'the secret key is not printed');
  });

  it('does not refuse the terminal prompt when no code is needed (aws-vault did, Appendix A 18); fails in one line when one is', async () => {
    const ok = await vault(['exec', '--prompt', 'terminal', '--ecs-server', 'dev', '--', 'true']);
    assert.equal(ok.code, 0, ok.stderr);
    const needs = await vault(['exec', '--prompt', 'terminal', '--ecs-server', 'mfadev', '--', 'touch', join(s.home.dir, 'mfa-ran')]);
    assert.equal(needs.code, 1);
    assert.equal(needs.stderr.trim().split('\n').length, 1, needs.stderr);
    assert.match(needs.stderr, /^vault: error: .*terminal/i);
    assert.equal(existsSync(join(s.home.dir, 'mfa-ran')), false);
  });
});

describe('vault exec --ecs-server with a long-running child', () => {
  let s: Scenario;
  let device: CreatedMfaDevice;
  const LIFETIME_S = 6;
  before(async () => {
    ({ s, device } = await startShortRoleScenario(LIFETIME_S));
  });
  after(() => s.close());

  it('keeps handing out valid credentials across two expiries, refreshed before they expire, with one MFA code', async () => {
    writeFileSync(join(s.home.dir, 'mfa-code'), device.code());
    const out = join(s.home.dir, 'rounds.json');
    const watch = helperCommand('credentialWatch', [out, '6', '2500', '--', ...awsCommandArgs(s.emulator.url)]);
    const r = await s.vault(['exec', '--ecs-server', 'admin', '--', 'sh', '-c', watch], { AWS_MIN_TTL: '2s' });
    assert.equal(r.code, 0, r.stderr);
    const rounds = JSON.parse(readFileSync(out, 'utf8')) as Array<{ at: number; accessKeyId: string; msLeft: number; clientExit: number; clientOutput: string }>;
    const start = rounds[0]?.at ?? 0;
    for (const [i, round] of rounds.entries()) {
      assert.equal(round.clientExit, 0, `round ${i} at +${round.at - start} ms: ${round.clientOutput}`);
      assert.match(round.clientOutput, /assumed-role\/admin\//);
      // Never handed out inside the 2 s window (1 s of slack: STS expiries are whole seconds).
      assert.ok(round.msLeft > 1000, `round ${i} got credentials with ${round.msLeft} ms left`);
    }
    const keys = new Set(rounds.map((round) => round.accessKeyId));
    assert.ok(keys.size >= 3, `${keys.size} distinct credentials over ${rounds.at(-1)!.at - start} ms: two expiries crossed`);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 1, 'one MFA session');
    assert.ok(s.emulator.state.calls('sts:AssumeRole') >= 3);
    assert.equal(readFileSync(join(s.home.dir, 'mfa-calls'), 'utf8'), 'x\n', 'mfa_process ran once');
  });
});

function awsCommandArgs(url: string): string[] {
  return ['/usr/bin/aws', 'sts', 'get-caller-identity', '--endpoint-url', url, '--output', 'json'];
}

