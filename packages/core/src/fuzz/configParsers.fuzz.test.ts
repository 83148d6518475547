import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { loadAwsConfig } from '../config/loadAwsConfig.js';
import { parseGoDuration } from '../config/parseGoDuration.js';
import { parseIni } from '../config/parseIni.js';
import { MAX_CHAIN_DEPTH, resolveProfile } from '../config/resolveProfile.js';
import { isVaultError } from '../errors.js';

import { FUZZ_RUNS } from './fuzzRuns.js';

const dir = mkdtempSync(join(tmpdir(), 'vault-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The only acceptable failure: a VaultError whose message is one line. */
function assertCleanFailure(error: unknown, mustMention?: string): void {
  assert.ok(isVaultError(error), `not a VaultError: ${String(error)}`);
  assert.equal(error.message.includes('\n'), false, `multi-line message: ${error.message}`);
  if (mustMention) assert.ok(error.message.includes(mustMention), `"${error.message}" does not name ${mustMention}`);
}

const KEYS = ['region', 'source_profile', 'include_profile', 'role_arn', 'mfa_serial', 'duration_seconds', 'session_tags', 'sso_session', 'sts_regional_endpoints', 'endpoint_url', 'credential_process', 'REGION', 'Role_Arn'];
const NAMES = ['default', 'a', 'b', 'c', 'dev', 'team.dev', 'x y'];
const line = fc.oneof(
  fc.constantFrom('', '# comment', '; comment', '[default]', '[DEFAULT]', '[profile a', '\uFEFF[profile a]', 'sub = x', '  nested = 1', 'key', '=', '[]'),
  fc.constantFrom(...NAMES).map((n) => (n === 'default' ? '[default]' : `[profile ${n}]`)),
  fc.constantFrom(...NAMES).map((n) => `[sso-session ${n}]`),
  fc.tuple(fc.constantFrom(...KEYS), fc.oneof(fc.constantFrom(...NAMES), fc.string(), fc.constantFrom('3600', '1h', 'arn:aws:iam::123456789012:role/r', 'a=1,b', 'legacy', 'http://127.0.0.1:1', '"quoted"', 'x #c')), fc.constantFrom(' = ', '=', ': ')).map(([k, v, d]) => `${k}${d}${v}`),
  fc.string({ unit: 'binary' }),
);
const iniText = fc.tuple(fc.array(line, { maxLength: 40 }), fc.constantFrom('\n', '\r\n', '\r')).map(([lines, eol]) => lines.join(eol));

describe('fuzz: config parsing and resolution', () => {
  it(`parseIni: ${FUZZ_RUNS} random files parse or fail with one line naming file:line`, () => {
    fc.assert(
      fc.property(iniText, (text) => {
        try {
          parseIni(text, '/fuzz/config');
        } catch (error) {
          assertCleanFailure(error, '/fuzz/config:');
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it(`resolveProfile: ${FUZZ_RUNS} random configs resolve or fail with one line`, () => {
    const configFile = join(dir, 'config');
    fc.assert(
      fc.property(iniText, fc.constantFrom(...NAMES), (text, name) => {
        writeFileSync(configFile, text);
        try {
          const config = loadAwsConfig({ configFile, credentialsFile: join(dir, 'none') });
          resolveProfile(config, name, { env: {} });
        } catch (error) {
          assertCleanFailure(error);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('10,000-deep include_profile and source_profile chains are refused with one line, not a stack overflow', () => {
    const depth = 10_000;
    const configFile = join(dir, 'deep');
    const sections: string[] = [];
    for (let i = 0; i < depth; i++) sections.push(`[profile i${i}]\n${i + 1 < depth ? `include_profile = i${i + 1}` : 'region = eu-west-1'}\n`);
    for (let i = 0; i < depth; i++) sections.push(`[profile s${i}]\n${i + 1 < depth ? `source_profile = s${i + 1}` : 'region = eu-west-1'}\n`);
    writeFileSync(configFile, sections.join(''));
    const config = loadAwsConfig({ configFile, credentialsFile: join(dir, 'none') });
    for (const name of ['i0', 's0']) {
      try {
        resolveProfile(config, name, { env: {} });
        assert.fail(`a ${depth}-deep chain must be refused`);
      } catch (error) {
        assertCleanFailure(error, name);
        assert.equal((error as { code?: string }).code, 'CONFIG_TOO_DEEP');
      }
    }
  });

  it('the deepest allowed chains still resolve', () => {
    const depth = MAX_CHAIN_DEPTH;
    const configFile = join(dir, 'deepest');
    const sections: string[] = [];
    for (let i = 0; i < depth; i++) sections.push(`[profile i${i}]\n${i + 1 < depth ? `include_profile = i${i + 1}` : 'region = eu-west-1'}\n`);
    for (let i = 0; i < depth; i++) sections.push(`[profile s${i}]\n${i + 1 < depth ? `source_profile = s${i + 1}` : 'region = eu-west-1'}\n`);
    writeFileSync(configFile, sections.join(''));
    const config = loadAwsConfig({ configFile, credentialsFile: join(dir, 'none') });
    assert.equal(resolveProfile(config, 'i0', { env: {} }).region, 'eu-west-1');
    let p = resolveProfile(config, 's0', { env: {} });
    let links = 1;
    while (p.sourceProfile) {
      p = p.sourceProfile;
      links++;
    }
    assert.equal(links, depth);
  });

  it('a huge config file (5 MB) is read without a crash', () => {
    const configFile = join(dir, 'huge');
    writeFileSync(configFile, `[profile big]\nregion = ${'x'.repeat(5 * 1024 * 1024)}\n`);
    const profile = resolveProfile(loadAwsConfig({ configFile, credentialsFile: join(dir, 'none') }), 'big', { env: {} });
    assert.equal(profile.region?.length, 5 * 1024 * 1024);
  });

  it(`parseGoDuration: ${FUZZ_RUNS} random strings give a number or undefined`, () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ms = parseGoDuration(text);
        assert.ok(ms === undefined || Number.isFinite(ms));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
