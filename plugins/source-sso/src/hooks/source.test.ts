import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileConfig } from '@awsvault/core';
import hook from './source.js';

const p = (extra: Partial<ProfileConfig>): ProfileConfig => ({
  name: 'dev', hasSection: true, assumeRoleDuration: 3600, sessionTokenDuration: 3600, chainedSessionTokenDuration: 28800, federationTokenDuration: 3600,
  durationFromFlag: false, origins: {}, ...extra,
});

describe('the vault:source hook', () => {
  it('declares sso with aws-vault\'s session type and the start URL as key detail', async () => {
    const source = await hook();
    assert.equal(source.kind, 'source');
    assert.equal(source.name, 'sso');
    assert.equal(source.sessionType, 'sso.GetRoleCredentials');
    assert.equal(source.sessionKeyDetail?.(p({ ssoStartUrl: 'https://x/start' })), 'https://x/start');
  });

  it('claims SSO role profiles, and half-configured ones so they get a precise error', async () => {
    const source = await hook();
    assert.equal(source.matches(p({ ssoStartUrl: 'https://x/start', ssoAccountId: '111122223333', ssoRoleName: 'Admin' })), true);
    assert.equal(source.matches(p({ ssoSession: 'corp', ssoRoleName: 'Admin' })), true);
    assert.equal(source.matches(p({ ssoStartUrl: 'https://x/start' })), false, 'an [sso-session]-like fragment is not a role profile');
    assert.equal(source.matches(p({ credentialProcess: 'x' })), false);
  });
});
