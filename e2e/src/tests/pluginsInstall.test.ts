import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TOTP_PERIOD_MS } from '../emulator/state.js';
import type { CreatedMfaDevice } from '../emulator/state.js';
import { startLocalRegistry, type LocalRegistry } from '../helpers/localRegistry.js';
import { repoRoot } from '../helpers/paths.js';
import type { RunResult } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

// Third-party plugin packages (plain JS, no dependencies): e2e/fixtures/<name>.
const fixture = (name: string) => join(repoRoot, 'e2e', 'fixtures', name);

/** The error line of a failed run: exactly one line on stderr. */
function oneLineError(r: RunResult): string {
  assert.equal(r.code, 1, `expected a failure, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  return lines[0] as string;
}

/**
 * `vault plugins install` as users run it, against a loopback npm registry: plugin-plugins' own
 * npm installs into the temporary HOME's data dir, and nothing can reach another registry (the
 * registry serves the AWS SDK packages from this checkout's node_modules for `@awsvault/core`).
 */
describe('vault plugins install from a local npm registry', { timeout: 180_000 }, () => {
  let registry: LocalRegistry;
  let s: Scenario;
  let device: CreatedMfaDevice;
  let codeFile: string;
  let promptLog: string;
  let vault: (args: string[], extraEnv?: Record<string, string>) => Promise<RunResult>;

  before(async () => {
    registry = await startLocalRegistry({ mirror: [join(repoRoot, 'node_modules')] });
    await Promise.all(
      [fixture('vault-prompt-fixed'), fixture('vault-prompt-broken'), fixture('vault-prompt-dup'), join(repoRoot, 'packages', 'core'), join(repoRoot, 'plugins', 'backend-pass')].map(
        (folder) => registry.publish(folder),
      ),
    );
    s = await startScenario();
    device = s.emulator.state.createMfaDevice(s.user.userName);
    const admin = s.emulator.state.createRole({ name: 'admin', trustedPrincipals: [s.user.arn], requireMfa: true }).arn;
    s.home.writeConfig(
      `[default]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[profile dev]\nmfa_serial = ${device.serialNumber}\n\n` +
        `[profile admin]\nsource_profile = dev\nrole_arn = ${admin}\nmfa_serial = ${device.serialNumber}\n`,
    );
    codeFile = join(s.home.dir, 'mfa-code');
    promptLog = join(s.home.dir, 'prompt-fixed.log');
    // An outer `npm test` exports npm_config_* settings; the plugin install must see none of them.
    for (const key of Object.keys(s.home.env)) if (/^npm_/i.test(key)) delete s.home.env[key];
    Object.assign(s.home.env, {
      VAULT_NPM_REGISTRY: registry.url,
      npm_config_registry: registry.url,
      npm_config_cache: join(s.home.dir, '.npm-cache'),
      npm_config_update_notifier: 'false',
      VAULT_PROMPT_FIXED_FILE: codeFile,
      VAULT_PROMPT_FIXED_LOG: promptLog,
    });
    vault = (args, extraEnv) => s.vault(args, extraEnv);
  });
  after(async () => {
    await s?.close();
    await registry?.close();
  });

  /** A fresh TOTP code (each is good once), written where the `fixed` prompt reads it. */
  const freshCode = () => {
    s.emulator.state.advanceClock(TOTP_PERIOD_MS);
    const code = device.code();
    writeFileSync(codeFile, code);
    return code;
  };

  const install = async (name: string) => {
    const r = await vault(['plugins', 'install', name], {});
    assert.equal(r.code, 0, `plugins install ${name}: ${r.stderr}`);
    return r;
  };
  const uninstall = async (name: string) => {
    const r = await vault(['plugins', 'uninstall', name]);
    assert.equal(r.code, 0, `plugins uninstall ${name}: ${r.stderr}`);
  };

  it('installs a third-party prompt by its plain name once @awsvault/plugin-<name> is not found', async () => {
    const seen = registry.requests.length;
    await install('vault-prompt-fixed');
    const asked = registry.requests.slice(seen).filter((q) => q.kind === 'packument');
    const scoped = asked.findIndex((q) => q.name === '@awsvault/plugin-vault-prompt-fixed');
    const plain = asked.findIndex((q) => q.name === 'vault-prompt-fixed' && q.status === 200);
    assert.ok(scoped >= 0 && plain > scoped, `registry saw: ${JSON.stringify(asked)}`);
    assert.equal(asked[scoped]?.status, 404);
    assert.equal(asked[scoped]?.url, '/@awsvault%2fplugin-vault-prompt-fixed', 'npm sends scoped names URL-encoded');
    assert.ok(registry.requests.slice(seen).some((q) => q.kind === 'tarball' && q.name === 'vault-prompt-fixed'));

    const listed = await vault(['plugins']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^vault-prompt-fixed 1\.0\.0/m);
  });

  it('its prompt answers a real MFA-protected AssumeRole when chosen with --prompt fixed', async () => {
    freshCode();
    const r = await vault(['export', '--format=json', '--no-session', '--prompt', 'fixed', 'admin']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).SessionToken);
    const assume = s.emulator.state.requests.filter((q) => q.action === 'AssumeRole').at(-1);
    // The emulator checks the TOTP code itself (and records it redacted): success means it was right.
    assert.equal(assume?.params['SerialNumber'], device.serialNumber);
    assert.equal(readFileSync(promptLog, 'utf8'), `${device.serialNumber}\n`, 'the plugin was asked once, for this device');
  });

  it('once uninstalled, --prompt fixed is a one-line error with the install hint', async () => {
    await uninstall('vault-prompt-fixed');
    const listed = await vault(['plugins']);
    assert.doesNotMatch(listed.stdout, /vault-prompt-fixed/);
    assert.equal((await vault(['clear'])).code, 0); // so that a code is needed again
    freshCode();
    const line = oneLineError(await vault(['export', '--no-session', '--prompt', 'fixed', 'admin']));
    assert.match(line, /^vault: error: prompt fixed is not installed \(installed: [a-z, -]+\) \(vault plugins install prompt-fixed\)$/);
  });

  it('a plugin whose hook throws breaks nothing; only --debug shows it, naming the package', async () => {
    await install('vault-prompt-broken');
    const list = await vault(['list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^dev\s/m);
    assert.doesNotMatch(list.stderr, /vault-prompt-broken/);

    const exported = await vault(['export', '--format=json', '--mfa-token', freshCode(), 'admin']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(JSON.parse(exported.stdout).AccessKeyId);

    const debug = await vault(['list', '--debug']);
    assert.equal(debug.code, 0, debug.stderr);
    assert.match(debug.stderr, /plugin vault-prompt-broken: its vault:prompt hook failed: vault-prompt-broken: this hook always fails/);
    await uninstall('vault-prompt-broken');
  });

  it('a plugin claiming the name of an installed prompt makes credential commands fail, naming both packages', async () => {
    await install('vault-prompt-dup');
    await vault(['clear']);
    const line = oneLineError(await vault(['export', '--format=json', '--mfa-token', freshCode(), 'admin']));
    assert.match(line, /^vault: error: prompt "terminal" is registered by both /);
    assert.ok(line.includes('@awsvault/plugin-prompt-terminal') && line.includes('vault-prompt-dup'), line);
    await uninstall('vault-prompt-dup');
    const again = await vault(['export', '--format=json', '--mfa-token', freshCode(), 'admin']);
    assert.equal(again.code, 0, again.stderr);
  });

  it('backend-pass resolves to @awsvault/plugin-backend-pass, works once installed, and is missed once removed', async () => {
    const seen = registry.requests.length;
    await install('backend-pass');
    const asked = registry.requests.slice(seen).filter((q) => q.kind === 'packument');
    assert.ok(asked.some((q) => q.name === '@awsvault/plugin-backend-pass' && q.status === 200), JSON.stringify(asked));
    assert.ok(asked.some((q) => q.name === '@awsvault/core' && q.status === 200), 'its @awsvault/core dependency came from the registry');
    assert.ok(!asked.some((q) => q.name === 'backend-pass'), 'the short name itself was never needed');
    const listed = await vault(['plugins']);
    assert.match(listed.stdout, /backend-pass 0\.1\.0/);

    // The temporary HOME has no password store: pass's own "not initialised" is the only acceptable failure.
    const r = await vault(['list', '--backend', 'pass']);
    if (r.code !== 0) {
      assert.match(oneLineError(r), /^vault: error: backend pass is not available: the password store .* is not initialised/);
    }
    assert.doesNotMatch(r.stderr, /not installed/);

    await uninstall('backend-pass');
    const gone = oneLineError(await vault(['list', '--backend', 'pass']));
    assert.match(gone, /^vault: error: backend pass is not installed \(installed: [a-z, -]+\) \(vault plugins install backend-pass\)$/);
  });

  it('npm found everything it asked for in the local registry, except the @awsvault/plugin- guesses', () => {
    const missing = new Set(registry.packumentRequests().filter((q) => q.status !== 200).map((q) => q.name));
    assert.deepEqual([...missing].sort(), ['@awsvault/plugin-vault-prompt-broken', '@awsvault/plugin-vault-prompt-dup', '@awsvault/plugin-vault-prompt-fixed']);
    assert.deepEqual(registry.requests.filter((q) => q.kind === 'other'), [], 'no other kind of request (audit, publish...)');
  });
});
