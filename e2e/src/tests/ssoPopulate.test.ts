import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { awsBin, vaultBin } from '../helpers/paths.js';
import { assertOneLineError, run, runVault, type RunResult } from '../helpers/run.js';
import { tempHome, type TempHome } from '../helpers/tempHome.js';
import { startWatchedVault } from '../helpers/watchedVault.js';

// `vault sso populate` through the built CLI against the emulated access portal, which pages like
// the real one and throttles per token (429 TooManyRequestsException over its quota). No stdin, no
// terminal: the test approves the device sign-in at the emulator, as the person at the browser.

const START = 'https://emulated.awsapps.com/start';
const CODE = /Confirmation code: ([A-Z]{4}-[A-Z]{4})/;
const ROLES = ['AdministratorAccess', 'ReadOnly', 'Billing'];

/** Hand-written content with comments, odd spacing and no final newline, to check it is kept byte for byte. */
const handWritten = (url: string) =>
  `# written by hand\n[default]\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = ${START}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n` +
  `[profile team-1-workload-readonly]   ; same name as a generated one\nregion=ap-south-1\n\n[profile via-profile]\nsso_session = corp\nsso_account_id = 100000000000\nsso_role_name = ReadOnly\nendpoint_url = ${url}\n  # indented comment\n[profile last]\noutput = text`;

interface World {
  emulator: Emulator;
  home: TempHome;
  env: Record<string, string>;
  original: string;
  close(): Promise<void>;
}

async function world(accounts: number): Promise<World> {
  const emulator = await startEmulator();
  emulator.sso.organisation({ accounts, roles: ROLES });
  const home = tempHome();
  const original = handWritten(emulator.url);
  home.writeConfig(original);
  chmodSync(home.configFile, 0o644);
  return {
    emulator,
    home,
    original,
    env: { ...home.env, AWS_VAULT_STDOUT: '1', AWS_ENDPOINT_URL_SSO: emulator.url, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url },
    close: async () => {
      await emulator.close();
      home.cleanup();
    },
  };
}

async function withApproval(w: World, args: string[]): Promise<RunResult> {
  const running = startWatchedVault(args, w.env);
  const [, code] = await running.waitFor(CODE);
  const response = await fetch(`${w.emulator.url}/_emulator/sso/approve?user_code=${code}`, { method: 'POST' });
  assert.equal(response.status, 200);
  return running.done;
}

const config = (w: World) => readFileSync(w.home.configFile, 'utf8');
const generatedNames = (text: string) => [...(/# >>> vault sso populate: sso-session corp >>>[^]*?# <<< vault sso populate/.exec(text)?.[0] ?? '').matchAll(/^\[profile ([^\]]+)\]$/gm)].map((m) => m[1]);
/** The text outside the generated block; the block was appended, so the hand-written text must be an exact prefix. */
const assertHandWrittenKept = (w: World, text: string) => {
  assert.ok(text.startsWith(w.original), 'hand-written lines kept byte for byte');
  assert.match(text.slice(w.original.length), /^\n+# >>> vault sso populate: sso-session corp >>>[^]*\n# <<< vault sso populate: sso-session corp <<<\n$/, 'only the block follows');
};
const progressFiles = (w: World) => {
  const dir = join(w.home.dir, '.awsvault', 'sso-populate');
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
};

describe('vault sso populate', { concurrency: 2 }, () => {
  describe('300 accounts × 3 roles', { concurrency: 1 }, () => {
    let w: World;
    before(async () => {
      w = await world(300);
    });
    after(() => w.close());

    it('writes 900 profiles at the default rate without one throttled request, keeping hand-written lines', async () => {
      const r = await withApproval(w, ['sso', 'populate', '--sso-session', 'corp', '--config', `endpoint_url=${w.emulator.url}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      const text = config(w);
      assert.equal(generatedNames(text).length, 899, 'one of 900 clashes with a hand-written profile');
      assert.match(r.stderr, /vault: warning: not writing profile team-1-workload-readonly: it is already a profile written by hand/);
      assert.match(r.stderr, /wrote 899 profiles for sso-session corp to .* \(899 added, 0 updated, 0 unchanged, 1 skipped\)/);
      assertHandWrittenKept(w, text);
      assert.equal(statSync(w.home.configFile).mode & 0o777, 0o644, 'the file keeps its mode');
      assert.match(text, /\n\[profile team-7-workload-administratoraccess\]\nsso_session = corp\nsso_account_id = 100000000006\nsso_role_name = AdministratorAccess\nregion = eu-west-1\nendpoint_url = http/);
      const stats = w.emulator.sso.portalStats;
      assert.equal(stats.throttled, 0, 'no 429 at the default rate');
      assert.equal(w.emulator.state.calls('sso:ListAccounts'), 3, '100 accounts per page');
      assert.equal(w.emulator.state.calls('sso:ListAccountRoles'), 300);
      assert.deepEqual(progressFiles(w), [], 'a complete run clears its progress');
    });

    it('a generated profile works for vault export and for /usr/bin/aws configure get', async () => {
      const exported = await runVault(['export', '--format=json', 'team-42-workload-billing'], w.env);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(JSON.parse(exported.stdout).AccessKeyId, /^ASIA/);
      const session = w.emulator.state.sessions.at(-1);
      assert.equal(session?.accountId, '100000000041');
      assert.match(session?.roleArn ?? '', /AWSReservedSSO_Billing_/);
      const aws = await run(awsBin, ['configure', 'get', 'sso_account_id', '--profile', 'team-42-workload-billing'], w.env);
      assert.equal(aws.code, 0, aws.stderr);
      assert.equal(aws.stdout.trim(), '100000000041');
    });

    it('with the portal quota far below the asked rate: 429s are retried and the result is complete', async () => {
      w.emulator.sso.resetPortalStats();
      w.emulator.sso.portalQuota = { requests: 20, windowMs: 100 };
      const before = config(w);
      const r = await runVault(['sso', 'populate', '--sso-session', 'corp', '--config', `endpoint_url=${w.emulator.url}`, '--rate', '400', '--max-retries', '20', '--debug'], w.env);
      assert.equal(r.code, 0, r.stderr.split('\n').slice(-5).join('\n'));
      const stats = w.emulator.sso.portalStats;
      assert.ok(stats.throttled > 0, 'the portal refused some requests');
      assert.equal(stats.requests - stats.throttled, 303, 'every listing answered once in the end');
      assert.match(r.stderr, /throttled \(429\), retry 1 in \d+ ms/);
      assert.match(r.stderr, /wrote 899 profiles .*\(0 added, 0 updated, 899 unchanged, 1 skipped\)/);
      assert.equal(config(w), before, 'complete: the same 899 profiles');
      w.emulator.sso.portalQuota = { requests: 20, windowMs: 1000 };
    });

    it('a run killed midway continues where it stopped, with fewer requests', async () => {
      w.home.writeConfig(w.original);
      w.emulator.sso.resetPortalStats();
      w.emulator.sso.portalQuota = undefined;
      const args = ['sso', 'populate', '--sso-session', 'corp', '--rate', '60'];
      const child = spawn(process.execPath, [vaultBin, ...args], { env: w.env, stdio: 'ignore', detached: true });
      const exited = new Promise((resolve) => child.on('close', resolve));
      while (w.emulator.sso.portalStats.requests < 120) await new Promise((resolve) => setTimeout(resolve, 20));
      process.kill(-(child.pid as number), 'SIGINT');
      await exited;
      const firstRun = w.emulator.sso.portalStats.requests;
      assert.equal(config(w), w.original, 'nothing written by the stopped run');
      const [saved] = progressFiles(w).filter((f) => f.endsWith('.json'));
      assert.ok(saved, 'progress saved');
      assert.equal(statSync(saved).mode & 0o777, 0o600);
      w.emulator.sso.resetPortalStats();
      const listedBefore = w.emulator.state.calls('sso:ListAccounts');
      const r = await runVault(args, w.env);
      assert.equal(r.code, 0, r.stderr);
      const secondRun = w.emulator.sso.portalStats.requests;
      assert.ok(secondRun < 303 && secondRun <= 303 - firstRun + 4, `the second run asks only what is left (first ${firstRun}, second ${secondRun})`);
      assert.equal(w.emulator.state.calls('sso:ListAccounts'), listedBefore, 'the account list was saved');
      assert.equal(generatedNames(config(w)).length, 899);
      assertHandWrittenKept(w, config(w));
      assert.deepEqual(progressFiles(w), []);
    });
  });

  describe('a small organisation: dry run, prune, selection by profile', { concurrency: 1 }, () => {
    let w: World;
    before(async () => {
      w = await world(3);
      const r = await withApproval(w, ['sso', 'populate', '--profile', 'via-profile', '--profile-template', '{session}-{account_id}-{role_name}', '--region', 'us-west-2']);
      assert.equal(r.code, 0, r.stderr);
    });
    after(() => w.close());

    it('--profile selects the sso-session of a profile; the template and --region are used', () => {
      const text = config(w);
      assert.deepEqual(generatedNames(text).slice(0, 3), ['corp-100000000000-administratoraccess', 'corp-100000000000-billing', 'corp-100000000000-readonly']);
      assert.equal(generatedNames(text).length, 9);
      assert.match(text, /\[profile corp-100000000002-billing\]\nsso_session = corp\nsso_account_id = 100000000002\nsso_role_name = Billing\nregion = us-west-2\n/);
      assertHandWrittenKept(w, text);
    });

    it('--dry-run prints a unified diff and changes nothing', async () => {
      w.emulator.sso.unassign('100000000001', 'Billing');
      w.emulator.sso.assign({ roleName: 'Dev', accountId: '100000000001', accountName: 'Team 2 Workload' });
      const before = config(w);
      const mtime = statSync(w.home.configFile).mtimeMs;
      const r = await runVault(['sso', 'populate', '--sso-session', 'corp', '--profile-template', '{session}-{account_id}-{role_name}', '--region', 'us-west-2', '--prune', '--dry-run'], w.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(config(w), before);
      assert.equal(statSync(w.home.configFile).mtimeMs, mtime);
      assert.match(r.stdout, new RegExp(`^--- ${w.home.configFile}\\n\\+\\+\\+ ${w.home.configFile} \\(after vault sso populate\\)\\n@@ `));
      assert.match(r.stdout, /^-\[profile corp-100000000001-billing\]$/m);
      assert.match(r.stdout, /^\+\[profile corp-100000000001-dev\]$/m);
      assert.match(r.stderr, /would write 9 profiles .*1 added.*1 removed/);
    });

    it('keeps and lists a gone role without --prune', async () => {
      const r = await runVault(['sso', 'populate', '--sso-session', 'corp', '--profile-template', '{session}-{account_id}-{role_name}', '--region', 'us-west-2'], w.env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /kept 1 generated profile whose role is no longer listed \(--prune removes them\): corp-100000000001-billing/);
      assert.equal(generatedNames(config(w)).length, 10);
    });

    it('--prune without a terminal or --yes refuses in one line and changes nothing', async () => {
      const before = config(w);
      const r = await runVault(['sso', 'populate', '--sso-session', 'corp', '--profile-template', '{session}-{account_id}-{role_name}', '--region', 'us-west-2', '--prune'], w.env);
      assertOneLineError(r, /--prune would remove 1 generated profile from .*config \(corp-100000000001-billing\) and no terminal is available to confirm; nothing was changed \(run it in a terminal, or add --yes\)/);
      assert.equal(config(w), before);
    });

    it('--prune --yes removes the gone role and keeps every hand-written line', async () => {
      const r = await runVault(['sso', 'populate', '--sso-session', 'corp', '--profile-template', '{session}-{account_id}-{role_name}', '--region', 'us-west-2', '--prune', '--yes'], w.env);
      assert.equal(r.code, 0, r.stderr);
      const text = config(w);
      assert.equal(generatedNames(text).length, 9);
      assert.ok(!generatedNames(text).includes('corp-100000000001-billing'));
      assertHandWrittenKept(w, text);
      const aws = await run(awsBin, ['configure', 'get', 'region', '--profile', 'corp-100000000001-dev'], w.env);
      assert.equal(aws.stdout.trim(), 'us-west-2');
    });

    it('bad input is a one-line error naming the flag or section', async () => {
      assertOneLineError(await runVault(['sso', 'populate', '--sso-session', 'nope'], w.env), /no \[sso-session nope\] in .*config/);
      assertOneLineError(await runVault(['sso', 'populate', '--sso-session', 'corp', '--profile-template', '{acct}-{role_name}'], w.env), /--profile-template \{acct\}-\{role_name\}: unknown placeholder \{acct\}/);
      assertOneLineError(await runVault(['sso', 'populate', '--sso-session', 'corp', '--rate', '0'], w.env), /--rate 0 is not a positive number/);
      assertOneLineError(await runVault(['sso', 'populate', '--profile', 'last'], w.env), /profile last has no sso_session/);
    });
  });
});
