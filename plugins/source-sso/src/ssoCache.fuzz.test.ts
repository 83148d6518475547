import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { isVaultError, OidcTokenStore, type OidcToken } from '@awsvault/core';
import { memoryBackend } from '@awsvault/core/testing';
// The figure docs/security.md reports; core's fuzz directory is not a package export.
import { FUZZ_RUNS } from '@awsvault/core/testing';
import { awsCliSsoCachePath, readAwsCliSsoCache, writeAwsCliSsoCache } from './awsCliSsoCache.js';
import type { SsoOidcApi } from './ssoApi.js';
import { SsoTokenSource } from './ssoTokenSource.js';
import { awsCliTokenSharing } from './tokenSharing.js';

const NOW = Date.UTC(2025, 2, 1, 12, 0, 0);
const START = 'https://fuzz.awsapps.com/start';
const home = mkdtempSync(join(tmpdir(), 'vault-fuzz-sso-'));
after(() => rmSync(home, { recursive: true, force: true }));

const iso = (ms: number) => new Date(ms).toISOString();
/** Times as the AWS CLI, SDKs, older tools and broken files write them. */
const time = fc.oneof(
  fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }).map((d) => iso(NOW + d)),
  fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }).map((d) => iso(NOW + d).replace(/\.\d{3}Z$/, 'Z')),
  fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }).map((d) => iso(NOW + d).replace(/\.\d{3}Z$/, 'UTC')),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('', '2030', '1', 'tomorrow', '2025-13-01T00:00:00Z', 'Sat, 01 Mar 2025 13:00:00 GMT', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z'),
  fc.string(),
  fc.oneof(fc.integer(), fc.constant(null), fc.boolean()),
);
const text = (s: fc.Arbitrary<string>) => fc.oneof({ weight: 5, arbitrary: s }, { weight: 1, arbitrary: fc.oneof(fc.constant(''), fc.constant(null), fc.integer(), fc.jsonValue()) });
const entry = fc.record(
  {
    startUrl: text(fc.constantFrom(START, 'https://other.awsapps.com/start', '')),
    region: text(fc.constantFrom('eu-west-1', 'us-east-1', '')),
    accessToken: text(fc.string({ minLength: 1 }).map((s) => `at-${s}`)),
    expiresAt: time,
    refreshToken: text(fc.string({ minLength: 1 }).map((s) => `rt-${s}`)),
    clientId: text(fc.string({ minLength: 1 })),
    clientSecret: text(fc.string({ minLength: 1 })),
    registrationExpiresAt: time,
    AccessToken: fc.string(),
  },
  { requiredKeys: [] },
);
/** A cache file: a near-valid entry (pretty or not), cut short, or anything at all. */
const cacheFile = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(entry, fc.constantFrom(0, 2)).map(([e, indent]) => JSON.stringify(e, null, indent)) },
  { weight: 1, arbitrary: fc.tuple(entry, fc.nat()).map(([e, cut]) => { const t = JSON.stringify(e); return t.slice(0, cut % (t.length + 1)); }) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__":{"accessToken":"at-proto","expiresAt":"2030-01-01T00:00:00Z"}}', '[]', 'null', '{"accessToken":"at-x","expiresAt":"2030-01-01T00:00:00Z","accessToken":""}') },
);

function assertCleanFailure(error: unknown): void {
  assert.ok(isVaultError(error), `not a VaultError: ${String(error)}`);
  assert.ok(!error.message.includes('\n'), `multi-line message: ${error.message}`);
}

describe('fuzz: the AWS CLI SSO cache', () => {
  it(`readAwsCliSsoCache: ${FUZZ_RUNS} random files are ignored or read as a usable entry that writes back`, () => {
    const path = awsCliSsoCachePath(join(home, 'read'), 'corp');
    mkdirSync(dirname(path), { recursive: true });
    let inputs = 0;
    let read = 0;
    fc.assert(
      fc.property(cacheFile, (content) => {
        inputs++;
        writeFileSync(path, content);
        const found = readAwsCliSsoCache(path);
        if (found === undefined) return;
        read++;
        assert.ok(typeof found.accessToken === 'string' && found.accessToken !== '');
        assert.ok(!Number.isNaN(found.expiresAt.getTime()));
        if (found.registrationExpiresAt) assert.ok(!Number.isNaN(found.registrationExpiresAt.getTime()));
        // What was read can be written back and read again to the same token.
        writeAwsCliSsoCache(path, found);
        const again = readAwsCliSsoCache(path);
        assert.equal(again?.accessToken, found.accessToken);
        assert.equal(again?.refreshToken, found.refreshToken);
        assert.equal(Math.floor((again?.expiresAt.getTime() ?? NaN) / 1000), Math.floor(found.expiresAt.getTime() / 1000));
      }),
      { numRuns: FUZZ_RUNS },
    );
    assert.ok(read > 0);
    console.log(`figure fuzz sso-cache-read inputs=${inputs} crashes=0 read=${read}`);
  });

  it(`SsoTokenSource with sharing on: ${FUZZ_RUNS} random cache files give a token vault can store and read back, or one line`, async () => {
    let inputs = 0;
    let n = 0;
    const fresh: OidcToken = { accessToken: 'login-token', expiresAt: new Date(NOW + 8 * 3_600_000), expiresIn: 8 * 3600 };
    await fc.assert(
      fc.asyncProperty(cacheFile, fc.constantFrom('none', 'expired', 'good'), fc.constantFrom('ok', 'dead', 'down'), async (content, storedState, oidcState) => {
        inputs++;
        const dir = join(home, `source-${n++}`);
        const sharing = awsCliTokenSharing({ home: dir, cacheKey: 'corp', startUrl: START, region: 'eu-west-1', debug: () => {}, warn: () => {} });
        mkdirSync(dirname(sharing.path), { recursive: true });
        writeFileSync(sharing.path, content);
        const store = new OidcTokenStore(memoryBackend());
        if (storedState !== 'none') await store.set(START, { accessToken: `stored-${storedState}`, expiresAt: new Date(NOW + (storedState === 'good' ? 3_600_000 : -3_600_000)) });
        const oidc: SsoOidcApi = {
          registerClient: () => Promise.reject(new Error('not called')),
          startDeviceAuthorization: () => Promise.reject(new Error('not called')),
          createToken: async () => {
            if (oidcState === 'ok') return { accessToken: 'refreshed-token', expiresIn: 3600, refreshToken: 'rt-next' };
            throw Object.assign(new Error(oidcState === 'dead' ? 'refresh token revoked' : 'service unavailable'), { name: oidcState === 'dead' ? 'InvalidGrantException' : 'InternalServerException', $metadata: {} });
          },
        };
        const source = new SsoTokenSource({
          site: { profileName: 'fuzz-sso', startUrl: START },
          store,
          oidc: async () => oidc,
          login: async () => ({ ...fresh }),
          lock: (fn) => fn(),
          sharing,
          now: () => NOW,
          debug: () => {},
        });
        let current;
        try {
          current = await source.current();
        } catch (error) {
          assertCleanFailure(error);
          return;
        }
        assert.ok(current.token.accessToken !== '' && current.token.expiresAt.getTime() - NOW > 60_000, 'a usable token');
        // Whatever vault took (stored, shared, refreshed or signed in) is in its store, readable.
        const stored = await store.get(START);
        assert.ok(stored, 'the token is stored');
        assert.equal(stored.accessToken, current.token.accessToken, 'the stored token reads back as the one used');
        assert.equal(Math.floor(stored.expiresAt.getTime() / 1000), Math.floor(current.token.expiresAt.getTime() / 1000));
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: FUZZ_RUNS },
    );
    console.log(`figure fuzz sso-token-source inputs=${inputs} crashes=0`);
  });
});
