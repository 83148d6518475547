import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileConfig } from '@awsvault/core';
import { parseScopes, ssoSettings } from './ssoSettings.js';

const base: ProfileConfig = {
  name: 'dev', hasSection: true, assumeRoleDuration: 3600, sessionTokenDuration: 3600, chainedSessionTokenDuration: 28800, federationTokenDuration: 3600,
  durationFromFlag: false, origins: { sso_account_id: '/home/u/.aws/config:4' }, ssoStartUrl: 'https://x.awsapps.com/start', ssoRegion: 'eu-west-1', ssoAccountId: '111122223333', ssoRoleName: 'Admin',
};

describe('ssoSettings', () => {
  it('reads what the source needs, with the sso-session name', () => {
    assert.deepEqual(ssoSettings({ ...base, ssoSession: 'corp' }), {
      startUrl: 'https://x.awsapps.com/start', region: 'eu-west-1', accountId: '111122223333', roleName: 'Admin', scopes: ['sso:account:access'], sessionName: 'corp',
    });
  });

  it('splits sso_registration_scopes on commas as the AWS CLI does', () => {
    assert.deepEqual(parseScopes(' sso:account:access ,codewhisperer:completions,,sso:account:access'), ['sso:account:access', 'codewhisperer:completions']);
    assert.deepEqual(parseScopes(''), ['sso:account:access']);
  });

  it('names the missing or malformed key, the profile and where the value came from', () => {
    const { ssoStartUrl: _, ...noUrl } = base;
    assert.throws(() => ssoSettings({ ...noUrl, ssoSession: 'corp' }), { message: 'profile dev: [sso-session corp] has no sso_start_url' });
    const { ssoAccountId: _a, ssoRoleName: _r, ...neither } = base;
    assert.throws(() => ssoSettings(neither), { message: 'profile dev: sso_account_id and sso_role_name are not set' });
    assert.throws(() => ssoSettings({ ...base, ssoAccountId: '1111-2222-3333' }), { message: 'profile dev: sso_account_id = 1111-2222-3333 (/home/u/.aws/config:4) is not a 12-digit account id' });
  });
});
