import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isVaultError } from '@awsvault/core';
// The figure docs/security.md reports; core's fuzz directory is not a package export.
import { FUZZ_RUNS } from '@awsvault/core/testing';
import { parseProcessOutput, parseRfc3339 } from './parseProcessOutput.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const PROFILE = 'fuzz-cp';
/** Secrets are drawn from an alphabet no fixed message text uses, long enough never to occur by chance. */
const secret = fc.string({ unit: fc.constantFrom(...'QXZJ0123456789/+'), minLength: 24, maxLength: 48 }).map((s) => `SECRET${s}`);

const rfc3339 = fc
  .tuple(
    fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
    fc.constantFrom('Z', 'z', '+00:00', '-07:30', '+14:00'),
    fc.constantFrom('T', 't'),
    fc.constantFrom('', '.5', '.123', '.123456789'),
  )
  .map(([d, zone, t, fraction]) => d.toISOString().replace('T', t).replace(/\.\d{3}Z$/, `${fraction}${zone}`));
const expiration = fc.oneof(rfc3339, fc.string(), fc.constantFrom('', '2024-06-01T12:00:00Z', '2024-06-01T13:00:00Z', '2024-02-30T00:00:00Z', '2024-06-01T24:00:00Z', 'tomorrow'), fc.integer(), fc.constant(null));
const field = (s: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: s }, { weight: 1, arbitrary: fc.oneof(fc.constant(''), fc.constant(null), fc.integer(), fc.boolean(), fc.jsonValue()) });

/** Documents near the spec (the interesting branches), with random extras and case-mangled names. */
const document = fc.record(
  {
    Version: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.jsonValue() }),
    AccessKeyId: field(fc.string({ minLength: 1, maxLength: 24 }).map((s) => `ASIA${s}`)),
    SecretAccessKey: field(secret),
    SessionToken: field(secret),
    Expiration: expiration,
    accessKeyId: fc.string(),
    secretaccesskey: secret,
    Extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

/** What a credential_process may print: a document (pretty or not, BOM, blank lines), or anything at all. */
const stdout = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(document, fc.constantFrom(0, 2), fc.constantFrom('', '\uFEFF', '\n', '  '), fc.constantFrom('', '\n', '\r\n\r\n')).map(([doc, indent, before, after]) => `${before}${JSON.stringify(doc, null, indent)}${after}`) },
  { weight: 1, arbitrary: fc.tuple(document, fc.nat()).map(([doc, cut]) => { const text = JSON.stringify(doc); return text.slice(0, cut % (text.length + 1)); }) },
  { weight: 1, arbitrary: fc.tuple(fc.string(), document).map(([noise, doc]) => `${noise}${JSON.stringify(doc)}`) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
);

/** Values a message may legitimately show: Version and Expiration (and nothing else from the output). */
function shownValues(text: string): string[] {
  try {
    const doc = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    if (typeof doc !== 'object' || doc === null) return [];
    return [JSON.stringify(doc['Version']) ?? '', JSON.stringify(doc['Expiration']) ?? ''];
  } catch {
    return [];
  }
}

function secretsIn(text: string): string[] {
  return [...text.matchAll(/SECRET[QXZJ0-9/+]{24,48}/g)].map((m) => m[0]);
}

describe('fuzz: credential_process output', () => {
  it(`parseProcessOutput: ${FUZZ_RUNS} random outputs give credentials or one line naming the profile, never a secret`, () => {
    let inputs = 0;
    let parsed = 0;
    fc.assert(
      fc.property(stdout, (text) => {
        inputs++;
        let credentials;
        try {
          credentials = parseProcessOutput(text, PROFILE, NOW);
        } catch (error) {
          assert.ok(isVaultError(error), `not a VaultError: ${String(error)}`);
          assert.match(error.code, /^CREDENTIAL_PROCESS_/);
          assert.ok(error.message.startsWith(`profile ${PROFILE}: credential_process `), error.message);
          assert.ok(!error.message.includes('\n') && !(error.hint ?? '').includes('\n'), 'one line');
          const allowed = shownValues(text).join(' ');
          for (const s of secretsIn(text)) {
            if (allowed.includes(s.slice(0, 20))) continue;
            assert.ok(!error.message.includes(s.slice(0, 12)) && !(error.hint ?? '').includes(s.slice(0, 12)), `secret echoed: ${error.message}`);
          }
          return;
        }
        parsed++;
        assert.equal(typeof credentials.accessKeyId, 'string');
        assert.ok(credentials.accessKeyId !== '' && credentials.secretAccessKey !== '');
        if (credentials.expiration) {
          assert.ok(!Number.isNaN(credentials.expiration.getTime()));
          assert.ok(credentials.expiration.getTime() > NOW, 'expired credentials are refused');
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
    assert.ok(parsed > 0, 'some inputs parse');
    console.log(`figure fuzz credential-process-output inputs=${inputs} crashes=0 parsed=${parsed}`);
  });

  it(`parseRfc3339: ${FUZZ_RUNS} valid times give the instant Date.parse gives; other strings give undefined or a number`, () => {
    fc.assert(
      fc.property(fc.oneof(rfc3339, fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789-:TZ.+') })), (text) => {
        const ms = parseRfc3339(text);
        if (ms === undefined) return;
        assert.ok(Number.isFinite(ms), text);
        // Date.parse reads at most milliseconds and needs an upper-case T and Z.
        const normalised = text.toUpperCase().replace(/(\.\d{1,3})\d*/, '$1');
        const expected = Date.parse(normalised);
        if (!Number.isNaN(expected)) assert.equal(ms, expected, text);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
