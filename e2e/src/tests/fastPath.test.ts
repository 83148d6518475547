import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { awsBin, vaultBin } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

const tracer = fileURLToPath(import.meta.resolve('@awsvault/core/testing/traceImports'));
const OCLIF_PATH = { VAULT_NO_FAST_PATH: '1' };
/** `list` shows time left, which moves between two runs: compare it as a shape. */
const timeless = (text: string) => text.replace(/:(\d+h)?(\d+m)?\d+(\.\d+)?s\b/g, ':<time left>');

describe('the fast path and the oclif path give the same results', () => {
  let s: Scenario;
  before(async () => {
    s = await startScenario();
    const warm = await s.vault(['export', '--format=json', 'dev']);
    assert.equal(warm.code, 0, warm.stderr);
  });
  after(() => s.close());

  for (const args of [
    ['export', '--format=json', 'dev'], ['export', 'dev'], ['export', '--format=ini', 'dev'], ['export', '--no-session', '--format=export-env', 'dev'],
    ['export', '--format', 'fish', 'dev'], ['exec', 'dev', '--', 'sh', '-c', 'env | grep ^AWS_ | sort'], ['exec', '--no-session', 'dev', '--', 'sh', '-c', 'env | grep ^AWS_ | sort'],
    ['exec', '-j', 'dev'], ['exec', 'dev', '--', 'sh', '-c', 'exit 3'],
    ['list'], ['ls', '--credentials'], ['list', '--sessions'], ['list', '--profiles'], ['list', '--sessions', '--credentials'],
  ]) {
    it(`vault ${args.join(' ')}`, async () => {
      const fast = await s.vault(args);
      const full = await s.vault(args, OCLIF_PATH);
      assert.equal(fast.code, full.code, fast.stderr + full.stderr);
      assert.equal(timeless(fast.stdout), timeless(full.stdout));
      assert.equal(fast.stderr, full.stderr);
    });
  }

  it('errors are the same on both paths', async () => {
    for (const args of [['export', 'nope'], ['export', '--format=yaml', 'dev'], ['exec', 'dev', '--', '/nonexistent/cmd']]) {
      const fast = await s.vault(args);
      const full = await s.vault(args, OCLIF_PATH);
      assert.notEqual(fast.code, 0, args.join(' '));
      assert.equal(fast.code, full.code, args.join(' '));
      assert.equal(fast.stderr, full.stderr, args.join(' '));
    }
  });

  it('a cached export and exec load neither oclif nor the AWS SDK, and make no STS call', async () => {
    const before = s.emulator.state.calls('sts:GetSessionToken');
    for (const args of [['export', '--format=json', 'dev'], ['exec', 'dev', '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url]]) {
      const trace = join(s.home.dir, `trace-${args[0]}.txt`);
      const r = await run(process.execPath, ['--import', tracer, vaultBin, ...args], { ...s.home.env, VAULT_TRACE_IMPORTS: trace });
      assert.equal(r.code, 0, r.stderr);
      const loaded = readFileSync(trace, 'utf8');
      assert.match(loaded, /fastBundle\/runFastPath\.js/);
      assert.doesNotMatch(loaded, /@oclif|@aws-sdk|@smithy|openpgp/);
    }
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), before);
  });

  it('list loads neither oclif nor the AWS SDK, and shows the cached session', async () => {
    const trace = join(s.home.dir, 'trace-list.txt');
    const r = await run(process.execPath, ['--import', tracer, vaultBin, 'list'], { ...s.home.env, VAULT_TRACE_IMPORTS: trace });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^dev +dev +sts\.GetSessionToken:/m);
    const loaded = readFileSync(trace, 'utf8');
    assert.match(loaded, /fastBundle\/runFastList\.js/);
    assert.doesNotMatch(loaded, /@oclif|@aws-sdk|@smithy|openpgp/);
  });

  it('a session that needs STS falls through to oclif and works', async () => {
    const r = await s.vault(['export', '--format=json', 'dev'], { AWS_MIN_TTL: '100h' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).AccessKeyId, /^ASIA/);
  });
});

/** A backend plugin the user linked: the fast path loads its hook itself instead of stepping aside. */
describe('the fast path with a user plugin', () => {
  let s: Scenario;
  let env: Record<string, string>;
  const example = fileURLToPath(new URL('../../fixtures/vault-backend-example', import.meta.url));
  before(async () => {
    s = await startScenario();
    env = { OCLIF_DISABLE_LINKED_ESM_WARNING: '1', VAULT_EXAMPLE_DIR: mkdtempSync(join(s.home.dir, 'store-')), AWS_VAULT_BACKEND: 'example-dir' };
    const link = await s.vault(['plugins', 'link', example, '--no-install'], env);
    assert.equal(link.code, 0, link.stderr);
    const add = await s.vault(['add', '--env', 'dev'], { ...env, AWS_ACCESS_KEY_ID: s.user.accessKeyId, AWS_SECRET_ACCESS_KEY: s.user.secretAccessKey });
    assert.equal(add.code, 0, add.stderr);
    const warm = await s.vault(['export', '--format=json', 'dev'], env);
    assert.equal(warm.code, 0, warm.stderr);
  });
  after(() => s.close());

  it("answers a cached export and list from the plugin's store without oclif, as oclif would", async () => {
    for (const args of [['export', '--format=json', 'dev'], ['list']]) {
      const trace = join(s.home.dir, `trace-plugin-${args[0]}.txt`);
      const fast = await run(process.execPath, ['--import', tracer, vaultBin, ...args], { ...s.home.env, ...env, VAULT_TRACE_IMPORTS: trace });
      assert.equal(fast.code, 0, fast.stderr);
      const loaded = readFileSync(trace, 'utf8');
      assert.match(loaded, /vault-backend-example\/(hook|store)\.js/);
      assert.doesNotMatch(loaded, /@oclif|@aws-sdk|@smithy/);
      const full = await s.vault(args, { ...env, ...OCLIF_PATH });
      assert.equal(timeless(fast.stdout), timeless(full.stdout), args.join(' '));
    }
  });

  it('steps aside when a user plugin has a hook the fast path does not run', async () => {
    const other = mkdtempSync(join(s.home.dir, 'init-plugin-'));
    writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'vault-init-example', version: '1.0.0', type: 'module', oclif: { hooks: { init: './init.js' } } }));
    writeFileSync(join(other, 'init.js'), 'export default async () => {};\n');
    const link = await s.vault(['plugins', 'link', other, '--no-install'], env);
    assert.equal(link.code, 0, link.stderr);
    const trace = join(s.home.dir, 'trace-init.txt');
    const r = await run(process.execPath, ['--import', tracer, vaultBin, 'export', '--format=json', 'dev'], { ...s.home.env, ...env, VAULT_TRACE_IMPORTS: trace });
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(trace, 'utf8'), /@oclif\/core/);
  });
});
