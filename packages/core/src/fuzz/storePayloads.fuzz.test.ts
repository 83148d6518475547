import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isVaultError } from '../errors.js';
import { parseMasterCredentials } from '../store/credentialStore.js';
import { parseSessionKey } from '../store/sessionKey.js';
import { parseSessionPayload } from '../store/sessionStore.js';
import { FUZZ_RUNS } from './fuzzRuns.js';

const jsonish = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))),
  fc.record({ AccessKeyId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), SecretAccessKey: fc.oneof(fc.string(), fc.constant(undefined)), SessionToken: fc.anything(), Expiration: fc.oneof(fc.string(), fc.date({ noInvalidDate: false }).map(String), fc.integer()) })
    .map((v) => new TextEncoder().encode(JSON.stringify(v))),
);

describe('fuzz: store payloads and item names', () => {
  it(`cached-session payloads: ${FUZZ_RUNS} random inputs parse to credentials with a valid date, or to nothing`, () => {
    fc.assert(
      fc.property(jsonish, (data) => {
        const c = parseSessionPayload(data);
        if (c) {
          assert.ok(c.accessKeyId && c.secretAccessKey);
          assert.ok(!Number.isNaN(c.expiration.getTime()));
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it(`master-credential payloads: ${FUZZ_RUNS} random inputs parse or fail with one line naming the profile`, () => {
    fc.assert(
      fc.property(jsonish, (data) => {
        try {
          parseMasterCredentials(data, 'fuzzed');
        } catch (error) {
          assert.ok(isVaultError(error) && error.code === 'CREDENTIALS_CORRUPT' && error.message.startsWith('profile fuzzed:') && !error.message.includes('\n'));
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it(`session item names: ${FUZZ_RUNS} random names parse or are rejected, never throw`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.tuple(fc.string(), fc.string(), fc.string(), fc.nat()).map((p) => p.join(','))), (name) => {
        const key = parseSessionKey(name);
        if (key) assert.ok(Number.isFinite(key.expiry));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
