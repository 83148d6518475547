import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { awsBin, vaultBin } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

const tracer = fileURLToPath(new URL('../helpers/traceImports.js', import.meta.url));
const OCLIF_PATH = { VAULT_NO_FAST_PATH: '1' };

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
  ]) {
    it(`vault ${args.join(' ')}`, async () => {
      const fast = await s.vault(args);
      const full = await s.vault(args, OCLIF_PATH);
      assert.equal(fast.code, full.code, fast.stderr + full.stderr);
      assert.equal(fast.stdout, full.stdout);
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

  it('a session that needs STS falls through to oclif and works', async () => {
    const r = await s.vault(['export', '--format=json', 'dev'], { AWS_MIN_TTL: '100h' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).AccessKeyId, /^ASIA/);
  });
});
