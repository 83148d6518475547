import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatedProfiles, parseExtraKey } from './generatedProfiles.js';
import { checkProfileTemplate, DEFAULT_PROFILE_TEMPLATE, profileNamePart, renderProfileName } from './profileTemplate.js';

const values = { accountId: '111122223333', accountName: 'Prod Payments (EU)', roleName: 'AdministratorAccess', session: 'corp' };

describe('profile name templates', () => {
  it('fills every placeholder, lower-casing values and turning spaces into -', () => {
    assert.equal(renderProfileName(DEFAULT_PROFILE_TEMPLATE, values), 'prod-payments-eu-administratoraccess');
    assert.equal(renderProfileName('{session}/{account_id}/{role_name}', values), 'corp/111122223333/administratoraccess');
    assert.equal(renderProfileName('Org_{account_name}.{role_name}', values), 'Org_prod-payments-eu.administratoraccess', "the template's own text is kept");
  });

  it('makes values fit a profile name', () => {
    assert.equal(profileNamePart('  Team  1 -- Workload '), 'team-1-workload');
    assert.equal(profileNamePart('a[b]c#d;e'), 'a-b-c-d-e');
    assert.equal(profileNamePart('dev.eu@corp+x=y,z'), 'dev.eu@corp+x=y,z');
  });

  it('refuses unknown placeholders, unbalanced braces, and templates that cannot tell roles apart', () => {
    const bad = (t: string, pattern: RegExp) => assert.throws(() => checkProfileTemplate(t), (e: Error & { code?: string }) => e.code === 'FLAG_INVALID' && pattern.test(e.message));
    bad('{account}-{role_name}', /unknown placeholder \{account\}/);
    bad('{account_name}-{role_name', /unbalanced/);
    bad('{account_name}', /does not use \{role_name\}/);
    bad('{role_name}', /neither/);
    checkProfileTemplate('{account_id}-{role_name}');
  });

  it('refuses a name the config format cannot hold', () => {
    assert.throws(() => renderProfileName('x y {account_id}{role_name}', values), /cannot be a profile name/);
    assert.throws(() => renderProfileName('#{account_id}{role_name}', values), /cannot be a profile name/);
  });
});

describe('generatedProfiles', () => {
  const a = (accountId: string, accountName: string, roleName: string) => ({ accountId, accountName, roleName });

  it('writes sso_session, sso_account_id, sso_role_name, region and extras, sorted by name', () => {
    const profiles = generatedProfiles([a('222', 'Beta', 'Admin'), a('111', 'Alpha', 'ReadOnly')], { template: DEFAULT_PROFILE_TEMPLATE, session: 'corp', region: 'eu-west-1', extra: [['output', 'json']] });
    assert.deepEqual(profiles.map((p) => p.name), ['alpha-readonly', 'beta-admin']);
    assert.deepEqual(profiles[0]?.keys, [['sso_session', 'corp'], ['sso_account_id', '111'], ['sso_role_name', 'ReadOnly'], ['region', 'eu-west-1'], ['output', 'json']]);
  });

  it('refuses two roles that get one name, naming both and suggesting {account_id}', () => {
    assert.throws(
      () => generatedProfiles([a('111', 'Same', 'Admin'), a('222', 'same', 'Admin')], { template: DEFAULT_PROFILE_TEMPLATE, session: 'c', region: 'r' }),
      (e: Error & { code?: string; hint?: string }) => e.code === 'PROFILE_NAME_CLASH' && /111/.test(e.message) && /222/.test(e.message) && /\{account_id\}/.test(e.hint ?? ''),
    );
  });

  it('parses --config key=value and keeps the keys vault owns out', () => {
    assert.deepEqual(parseExtraKey('output = json'), ['output', 'json']);
    assert.deepEqual(parseExtraKey('endpoint_url=http://127.0.0.1:1/x=y'), ['endpoint_url', 'http://127.0.0.1:1/x=y']);
    assert.throws(() => parseExtraKey('novalue'), /not key=value/);
    assert.throws(() => parseExtraKey('sso_role_name=x'), /cannot be set/);
    assert.throws(() => parseExtraKey('region=x'), (e: Error & { hint?: string }) => /--region/.test(e.hint ?? ''));
  });
});
