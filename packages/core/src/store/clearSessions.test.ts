import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadAwsConfig } from '../config/loadAwsConfig.js';
import { memoryBackend } from '../testing/index.js';
import { clearAllSessions, clearProfileSessions, ssoStartUrlForProfile } from './clearSessions.js';
import { formatSessionKey } from './sessionKey.js';

const FUTURE = Math.floor(Date.now() / 1000) + 3600;
const PAST = Math.floor(Date.now() / 1000) - 3600;
const item = (key: string) => ({ key, data: new TextEncoder().encode('{}') });

function storeWithEverything() {
  return memoryBackend([
    item('dev'),
    item('prod'),
    item(formatSessionKey({ type: 'sts.GetSessionToken', profileName: 'dev', detail: 'arn:aws:iam::1:mfa/a', expiry: FUTURE })),
    item(formatSessionKey({ type: 'sts.AssumeRole', profileName: 'admin', detail: 'arn:aws:iam::1:mfa/a', expiry: FUTURE })),
    item(formatSessionKey({ type: 'sts.GetSessionToken', profileName: 'dev', detail: '', expiry: PAST })),
    item(formatSessionKey({ type: 'sso.GetRoleCredentials', profileName: 'sso', detail: 'https://a.awsapps.com/start', expiry: FUTURE })),
    item('session,dev,,1234567890'),
    item('dev session (1234567890)'),
    item('oidc:https://a.awsapps.com/start'),
    item('oidc:https://b.awsapps.com/start'),
  ]);
}

describe('clearAllSessions', () => {
  it('removes legacy items, every session (expired too) and every SSO token, never long-term keys', async () => {
    const backend = storeWithEverything();
    assert.deepEqual(await clearAllSessions(backend), { legacy: 2, sessions: 4, oidcTokens: 2, total: 8 });
    assert.deepEqual(await backend.keys(), ['dev', 'prod']);
    assert.deepEqual(await clearAllSessions(backend), { legacy: 0, sessions: 0, oidcTokens: 0, total: 0 });
  });
});

describe('clearProfileSessions', () => {
  it("removes the profile's sessions and the token of its start URL only", async () => {
    const backend = storeWithEverything();
    assert.deepEqual(await clearProfileSessions(backend, 'dev'), { legacy: 0, sessions: 2, oidcTokens: 0, total: 2 });
    assert.deepEqual(await clearProfileSessions(backend, 'sso', 'https://a.awsapps.com/start'), { legacy: 0, sessions: 1, oidcTokens: 1, total: 2 });
    const left = await backend.keys();
    assert.ok(left.includes('oidc:https://b.awsapps.com/start'));
    assert.ok(left.includes('dev') && left.includes('session,dev,,1234567890'));
    assert.equal(left.filter((k) => k.startsWith('sts.AssumeRole,')).length, 1);
  });
});

describe('ssoStartUrlForProfile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-clear-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'config');
  writeFileSync(
    configFile,
    [
      '[sso-session corp]',
      'sso_start_url = https://session.awsapps.com/start',
      'sso_region = eu-west-1',
      '[profile both]',
      'sso_session = corp',
      'sso_start_url = https://inline.awsapps.com/start',
      '[profile inline]',
      'sso_start_url = https://inline.awsapps.com/start',
      '[profile broken]',
      'sso_start_url = https://broken.awsapps.com/start',
      'role_arn = not-an-arn',
      '[profile none]',
      'region = eu-west-1',
      '',
    ].join('\n'),
  );
  const config = loadAwsConfig({ configFile, credentialsFile: join(dir, 'credentials') });

  it("prefers the sso-session's start URL, then the inline one", () => {
    assert.equal(ssoStartUrlForProfile(config, 'both', {}), 'https://session.awsapps.com/start');
    assert.equal(ssoStartUrlForProfile(config, 'inline', {}), 'https://inline.awsapps.com/start');
    assert.equal(ssoStartUrlForProfile(config, 'none', {}), undefined);
  });

  it('follows include_profile and [default], and skips profiles that mention no SSO setting anywhere', () => {
    const file = join(dir, 'config-chain');
    writeFileSync(file, '[default]\nregion = eu-west-1\n[profile base]\nsso_start_url = https://base.awsapps.com/start\n[profile child]\ninclude_profile = base\n[profile plain]\nregion = us-east-1\n[profile loop]\ninclude_profile = loop\n');
    const chain = loadAwsConfig({ configFile: file, credentialsFile: join(dir, 'credentials') });
    assert.equal(ssoStartUrlForProfile(chain, 'child', {}), 'https://base.awsapps.com/start');
    assert.equal(ssoStartUrlForProfile(chain, 'plain', {}), undefined);
    assert.equal(ssoStartUrlForProfile(chain, 'loop', {}), undefined);
    const withDefault = join(dir, 'config-default');
    writeFileSync(withDefault, '[default]\nsso_start_url = https://default.awsapps.com/start\n[profile plain]\nregion = us-east-1\n');
    assert.equal(ssoStartUrlForProfile(loadAwsConfig({ configFile: withDefault, credentialsFile: join(dir, 'credentials') }), 'plain', {}), 'https://default.awsapps.com/start');
  });

  it('still finds the URL when another value of the profile is malformed', () => {
    assert.equal(ssoStartUrlForProfile(config, 'broken', {}), 'https://broken.awsapps.com/start');
  });
});
