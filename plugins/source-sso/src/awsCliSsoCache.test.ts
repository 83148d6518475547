import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ProfileConfig } from '@awsvault/core';
import { awsCliSsoCachePath, cacheEntryFor, readAwsCliSsoCache, tokenFromCacheEntry, writeAwsCliSsoCache } from './awsCliSsoCache.js';
import { awsCliTokenSharing, sharesWithAwsCli } from './tokenSharing.js';

const home = mkdtempSync(join(tmpdir(), 'vault-sso-cache-'));
after(() => rmSync(home, { recursive: true, force: true }));

describe('the AWS CLI SSO cache file', () => {
  it('is named after the SHA-1 of the session name or start URL', () => {
    // Hex SHA-1 digests computed independently (Python's hashlib).
    assert.equal(awsCliSsoCachePath('/h', 'my-sso'), '/h/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json');
    assert.equal(awsCliSsoCachePath('/h', 'https://my-sso-portal.awsapps.com/start'), '/h/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json');
  });

  it('round-trips every field, written atomically with 0600 in a 0700 directory', () => {
    const path = awsCliSsoCachePath(join(home, 'a'), 'corp');
    const entry = { startUrl: 'https://x/start', region: 'eu-west-1', accessToken: 'at', expiresAt: new Date('2024-01-01T20:00:00Z'), refreshToken: 'rt', clientId: 'ci', clientSecret: 'cs', registrationExpiresAt: new Date('2024-04-01T00:00:00Z') };
    writeAwsCliSsoCache(path, entry);
    writeAwsCliSsoCache(path, entry);
    assert.deepEqual(readAwsCliSsoCache(path), entry);
    assert.equal(readFileSync(path, 'utf8'), '{"startUrl":"https://x/start","region":"eu-west-1","accessToken":"at","expiresAt":"2024-01-01T20:00:00Z","refreshToken":"rt","clientId":"ci","clientSecret":"cs","registrationExpiresAt":"2024-04-01T00:00:00Z"}');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, 'a', '.aws', 'sso', 'cache')).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(home, 'a', '.aws', 'sso', 'cache')).filter((f) => f.startsWith('.vault-tmp')), [], 'no temp file left');
    assert.deepEqual(cacheEntryFor(tokenFromCacheEntry(entry), entry.startUrl, entry.region), entry);
  });

  it('reads nothing from a missing, malformed or token-less file', () => {
    const dir = join(home, 'b');
    mkdirSync(dir, { recursive: true });
    assert.equal(readAwsCliSsoCache(join(dir, 'missing.json')), undefined);
    writeFileSync(join(dir, 'bad.json'), '{');
    assert.equal(readAwsCliSsoCache(join(dir, 'bad.json')), undefined);
    writeFileSync(join(dir, 'none.json'), '{"startUrl":"x","expiresAt":"2024-01-01T00:00:00Z"}');
    assert.equal(readAwsCliSsoCache(join(dir, 'none.json')), undefined);
  });

  it('sharing writes only when the token changed and forgets only the rejected token', () => {
    const sharing = awsCliTokenSharing({ home: join(home, 'c'), cacheKey: 'https://x/start', startUrl: 'https://x/start', region: 'us-east-1', debug: () => {}, warn: assert.fail });
    sharing.write({ accessToken: 'one', expiresAt: new Date('2030-01-01T00:00:00Z') });
    const mtime = statSync(sharing.path).mtimeMs;
    sharing.write({ accessToken: 'one', expiresAt: new Date('2030-01-01T00:00:00Z') });
    assert.equal(statSync(sharing.path).mtimeMs, mtime);
    sharing.forget('other');
    assert.equal(sharing.read()?.accessToken, 'one');
    sharing.forget('one');
    assert.equal(sharing.read(), undefined);
  });
});

describe('sharesWithAwsCli', () => {
  const profile = (extra: Partial<ProfileConfig> = {}): ProfileConfig => ({
    name: 'dev', hasSection: true, assumeRoleDuration: 3600, sessionTokenDuration: 3600, chainedSessionTokenDuration: 28800, federationTokenDuration: 3600,
    durationFromFlag: false, origins: {}, ...extra,
  });
  const config = join(home, 'config');
  writeFileSync(config, '[default]\nvault_sso_cache = yes\n\n[profile off]\nvault_sso_cache = false\n\n[sso-session corp]\nvault_sso_cache = true\n');

  it('is off unless asked for', () => {
    assert.equal(sharesWithAwsCli(profile(), {}, home), false);
  });

  it('follows AWS_VAULT_SSO_CACHE first', () => {
    assert.equal(sharesWithAwsCli(profile(), { AWS_VAULT_SSO_CACHE: '1' }, home), true);
    assert.equal(sharesWithAwsCli(profile({ ssoSession: 'corp' }), { AWS_VAULT_SSO_CACHE: '0', AWS_CONFIG_FILE: config }, home), false);
  });

  it('reads vault_sso_cache where the profile got it, then from its [sso-session]', () => {
    const env = { AWS_CONFIG_FILE: config };
    assert.equal(sharesWithAwsCli(profile({ origins: { vault_sso_cache: `${config}:2` } }), env, home), true);
    assert.equal(sharesWithAwsCli(profile({ origins: { vault_sso_cache: `${config}:5` }, ssoSession: 'corp' }), env, home), false);
    assert.equal(sharesWithAwsCli(profile({ ssoSession: 'corp' }), env, home), true);
  });
});
