import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

const NO_STACK = /\n\s+at |Error:\s*$/m;

/** Every file of the store with its hash, to prove a failed command changed nothing. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]));
}

describe('bad input gets one line, a non-zero exit, and no change', () => {
  let s: Scenario;
  before(async () => {
    s = await startScenario();
  });
  after(() => s.close());

  it('a config syntax error names the file and the line', async () => {
    s.home.writeConfig(`[profile dev]\nregion = us-east-1\n[profile broken\nregion = eu-west-1\n`);
    const r = await s.vault(['export', 'dev']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^vault: error: ${s.home.configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: section header`));
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  it('an unknown profile names the profile and the files read', async () => {
    s.home.writeConfig(`[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n`);
    const r = await s.vault(['exec', 'nope', '--', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vault: error: profile nope not found in .*\/\.aws\/config or .*\/\.aws\/credentials/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('a wrong file passphrase exits non-zero and leaves every file byte-identical', async () => {
    const before = snapshot(s.home.keysDir);
    for (const args of [['export', 'dev'], ['add', '--env', '--force', 'dev'], ['exec', 'dev', '--', 'true']]) {
      const r = await s.vault(args, { AWS_VAULT_FILE_PASSPHRASE: 'wrong', AWS_ACCESS_KEY_ID: fakeAccessKeyId('IOSFODNN7EXAMPLF'), AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /^vault: error: (cannot decrypt|refusing to write) .*\.awsvault\/keys\/dev/, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    assert.deepEqual(snapshot(s.home.keysDir), before);
  });

  it("an AWS error surfaces as one line naming the profile and AWS's code", async () => {
    const r = await s.vault(['add', '--env', 'ghost'], { AWS_ACCESS_KEY_ID: fakeAccessKeyId('IOSFODNN7EXAMPLE'), AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    assert.equal(r.code, 0, r.stderr);
    s.home.writeConfig(`[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n[profile ghost]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n`);
    const e = await s.vault(['export', 'ghost']);
    assert.equal(e.code, 1);
    assert.equal(e.stderr, 'vault: error: profile ghost: sts:GetSessionToken failed: InvalidClientTokenId: The security token included in the request is invalid. (the stored access key was rejected; check it or store a new one with `vault add`)\n');
  });

  it('a dead endpoint is one line naming the profile', async () => {
    s.home.writeConfig(`[profile dev]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n`);
    const r = await s.vault(['export', 'dev'], { AWS_MIN_TTL: '100h' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vault: error: profile dev: sts:GetSessionToken failed: .*ECONNREFUSED/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
