import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

/** add, remove, list and exec details through the built CLI, with no stdin and no terminal. */
describe('add, remove, list and exec', () => {
  let s: Scenario;
  const keys = { AWS_ACCESS_KEY_ID: fakeAccessKeyId('IOSFODNN7EXAMPLE'), AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  before(async () => {
    s = await startScenario();
  });
  after(() => s.close());

  it('add --env appends [profile x] to the config and keeps every other byte', async () => {
    const original = `# my config\n[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n; trailing comment without newline`;
    writeFileSync(s.home.configFile, original);
    const r = await s.vault(['add', '--env', 'newbie'], keys);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Added credentials to profile "newbie" in vault\n');
    assert.equal(readFileSync(s.home.configFile, 'utf8'), `${original}\n\n[profile newbie]\n`);
    const again = await s.vault(['add', '--env', '--no-add-config', 'other'], keys);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readFileSync(s.home.configFile, 'utf8'), `${original}\n\n[profile newbie]\n`);
  });

  it('add refuses to overwrite stored keys without a terminal to confirm, and --force replaces them', async () => {
    const refused = await s.vault(['add', '--env', 'newbie'], keys);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'vault: error: profile newbie already has stored credentials (use --force to replace them)\n');
    const forced = await s.vault(['add', '--env', '--force', 'newbie'], { ...keys, AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) });
    assert.equal(forced.code, 0, forced.stderr);
    const exported = await s.vault(['export', '--no-session', '--format=json', 'newbie']);
    assert.equal(JSON.parse(exported.stdout).SecretAccessKey, 'x'.repeat(40));
  });

  it('add names what is missing, and refuses a profile with a source_profile', async () => {
    const missing = await s.vault(['add', '--env', 'p'], { AWS_ACCESS_KEY_ID: 'AKIA' });
    assert.equal(missing.stderr, 'vault: error: Missing value for AWS_SECRET_ACCESS_KEY\n');
    writeFileSync(s.home.configFile, `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n[profile role]\nsource_profile = dev\n`);
    const sourced = await s.vault(['add', '--env', 'role'], keys);
    assert.equal(sourced.code, 1);
    assert.match(sourced.stderr, /^vault: error: profile role has a source_profile of dev; credentials added to role would not be used/);
    const noTerminal = await s.vault(['add', 'interactive']);
    assert.equal(noTerminal.code, 1);
    assert.match(noTerminal.stderr, /^vault: error: no terminal to ask on: Enter Access Key ID/);
  });

  it('list prints aws-vault\'s table, and --profiles, --credentials and --json', async () => {
    writeFileSync(s.home.configFile, `[default]\nregion = us-east-1\n[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n[profile nokeys]\n`);
    const warm = await s.vault(['export', 'dev']);
    assert.equal(warm.code, 0, warm.stderr);
    const table = await s.vault(['list']);
    const lines = table.stdout.split('\n');
    assert.equal(lines[0]?.trimEnd(), 'Profile                  Credentials              Sessions');
    assert.equal(lines[1]?.trimEnd(), '=======                  ===========              ========');
    assert.match(lines[2] ?? '', /^default {18}- {24}- +$/);
    assert.match(lines[3] ?? '', /^dev {22}dev {22}sts\.GetSessionToken:\d+m\d+s +$/);
    assert.match(lines[4] ?? '', /^nokeys {19}- {24}- +$/);
    assert.ok(lines.some((l) => /^- {24}newbie {19}- +$/.test(l)), 'stored keys without a profile get their own row');
    assert.equal((await s.vault(['list', '--profiles'])).stdout, 'default\ndev\nnokeys\n');
    assert.deepEqual((await s.vault(['list', '--credentials'])).stdout.split('\n').filter(Boolean).sort(), ['dev', 'newbie', 'other']);
    const json = JSON.parse((await s.vault(['list', '--json'])).stdout) as { profiles: Array<{ name: string; credentials: boolean }> };
    assert.deepEqual(json.profiles.map((p) => [p.name, p.credentials]), [['default', false], ['dev', true], ['nokeys', false]]);
  });

  it('remove -f deletes the keys and their cached sessions; a missing profile is one line', async () => {
    const r = await s.vault(['remove', '-f', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Deleted credentials.\nDeleted 1 sessions.\n');
    assert.equal((await s.vault(['list', '--sessions'])).stdout, '');
    const again = await s.vault(['rm', '-f', 'dev']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^vault: error: profile dev: no stored credentials to remove/);
  });

  it('exec: AWS_PROFILE is the default profile, a signal exit is 128+n, a missing command is 127', async () => {
    const add = await s.vault(['add', '--env', '--force', 'dev'], { AWS_ACCESS_KEY_ID: s.user.accessKeyId, AWS_SECRET_ACCESS_KEY: s.user.secretAccessKey });
    assert.equal(add.code, 0, add.stderr);
    const byEnv = await s.vault(['exec', '--no-session', '--', 'sh', '-c', 'printf %s "$AWS_VAULT"'], { AWS_PROFILE: 'dev' });
    assert.equal(byEnv.stdout, 'dev');
    const killed = await s.vault(['exec', '--no-session', 'dev', '--', 'sh', '-c', 'kill -TERM $$']);
    assert.equal(killed.code, 143);
    const missing = await s.vault(['exec', '--no-session', 'dev', '--', 'no-such-command-xyz']);
    assert.equal(missing.code, 127);
    assert.equal(missing.stderr, 'vault: error: cannot run no-such-command-xyz: command not found\n');
    const profileEnv = await s.vault(['exec', '--profile-env', 'dev', '--', 'sh', '-c', 'printf "%s|%s" "$AWS_PROFILE" "${AWS_ACCESS_KEY_ID:-none}"']);
    assert.equal(profileEnv.stdout, 'dev|none');
  });
});
