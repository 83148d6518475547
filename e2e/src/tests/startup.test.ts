import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers/run.js';
import { vaultBin } from '../helpers/paths.js';
import { tempHome, type TempHome } from '../helpers/tempHome.js';

const tracer = fileURLToPath(import.meta.resolve('@awsvault/core/testing/traceImports'));

describe('version and help load no AWS SDK', () => {
  let home: TempHome;
  before(() => {
    home = tempHome();
  });
  after(() => home.cleanup());

  for (const args of [['--version'], ['--help'], ['exec', '--help'], ['export', '--help']]) {
    it(`vault ${args.join(' ')}`, async () => {
      const trace = join(home.dir, `trace-${args.join('_')}.txt`);
      const r = await run(process.execPath, ['--import', tracer, vaultBin, ...args], { ...home.env, VAULT_TRACE_IMPORTS: trace });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, args[0] === '--version' ? /^@awsvault\/cli\/\d+\.\d+\.\d+ / : /USAGE/);
      const loaded = readFileSync(trace, 'utf8');
      assert.match(loaded, /@oclif\/core|packages\/cli/, 'the tracer saw the CLI load');
      assert.doesNotMatch(loaded, /@aws-sdk|@smithy/);
      assert.doesNotMatch(loaded, /openpgp/);
    });
  }
});
