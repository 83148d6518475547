import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatSessionKey,
  isCredentialsKey,
  isLegacySessionKey,
  isOidcTokenKey,
  isSessionKey,
  parseSessionKey,
  sessionKeyPrefix,
} from './sessionKey.js';

const EXAMPLE = 'sts.GetSessionToken,am9uc21pdGg,YXJuOmF3czppYW06OjExMTExMTExMTExMTptZmEvam9uc21pdGg,1700000000';

describe('session item names: aws-vault\'s <Type>,<b64url profile>,<b64url serial>,<expiry>', () => {
  it('formats aws-vault\'s documented example byte for byte', () => {
    assert.equal(
      formatSessionKey({ type: 'sts.GetSessionToken', profileName: 'jonsmith', detail: 'arn:aws:iam::111111111111:mfa/jonsmith', expiry: 1700000000 }),
      EXAMPLE,
    );
  });

  it('parses aws-vault\'s documented example', () => {
    assert.deepEqual(parseSessionKey(EXAMPLE), {
      type: 'sts.GetSessionToken',
      profileName: 'jonsmith',
      detail: 'arn:aws:iam::111111111111:mfa/jonsmith',
      expiry: 1700000000,
    });
  });

  it('writes an empty serial as an empty field (",,") and reads it back', () => {
    const key = formatSessionKey({ type: 'sts.AssumeRole', profileName: 'dev', detail: '', expiry: 1 });
    assert.equal(key, 'sts.AssumeRole,ZGV2,,1');
    assert.deepEqual(parseSessionKey(key), { type: 'sts.AssumeRole', profileName: 'dev', detail: '', expiry: 1 });
  });

  it('uses unpadded base64url, so names with "/", "+" or non-ASCII round-trip', () => {
    for (const profileName of ['team/dev', 'a?>b', 'prød', 'x', 'xy', 'xyz']) {
      const key = formatSessionKey({ type: 'sso.GetRoleCredentials', profileName, detail: 'https://x.awsapps.com/start#/', expiry: 1700000000 });
      assert.doesNotMatch(key.split(',')[1] ?? '', /[=+/]/);
      assert.equal(parseSessionKey(key)?.profileName, profileName);
      assert.equal(parseSessionKey(key)?.detail, 'https://x.awsapps.com/start#/');
    }
  });

  it('truncates a fractional expiry', () => {
    assert.equal(formatSessionKey({ type: 't', profileName: 'p', detail: '', expiry: 1700000000.9 }), 't,cA,,1700000000');
  });

  it('gives the lookup prefix up to and including the comma before the expiry', () => {
    assert.equal(sessionKeyPrefix('sts.GetSessionToken', 'jonsmith', 'arn:aws:iam::111111111111:mfa/jonsmith'), EXAMPLE.slice(0, EXAMPLE.lastIndexOf(',') + 1));
  });

  it('does not parse other names as current-format sessions', () => {
    for (const name of ['jonsmith', 'a,b,c', 'a,b,c,', 'a,b,c,12x', ',b,c,1', 'a,,c,1', 'session,jon,,1700000000', 'oidc:https://x/start']) {
      assert.equal(parseSessionKey(name), undefined, name);
    }
  });
});

describe('legacy aws-vault session names', () => {
  const legacy = [
    'session,jonsmith,arn:aws:iam::1:mfa/j,1700000000',
    'session,jonsmith,,12',
    'session:jonsmith::1700000000',
    'session:jonsmith:arn:aws:iam::111111111111:mfa/jonsmith:1700000000',
    'session:team/dev:arn:aws:iam::111111111111:mfa/jonsmith:12',
    'jonsmith session (1700000000)',
    'my profile session (1)',
  ];
  for (const name of legacy) {
    it(`recognises ${JSON.stringify(name)} as a session`, () => {
      assert.equal(isLegacySessionKey(name), true);
      assert.equal(isSessionKey(name), true);
      assert.equal(isCredentialsKey(name), false);
    });
  }

  it('does not take look-alikes for legacy sessions', () => {
    assert.equal(isLegacySessionKey('session,jonsmith,,1'), false, 'session,... needs two digits of expiry');
    assert.equal(isLegacySessionKey('jonsmith session (soon)'), false);
    assert.equal(isLegacySessionKey('session:jon smith:x:1'), false, 'session:... has no spaces in profile or serial');
    assert.equal(isLegacySessionKey('session:jonsmith'), false);
    assert.equal(isLegacySessionKey('jonsmith'), false);
  });
});

describe('classifying item names as credentials, sessions or SSO tokens', () => {
  it('treats profile names as credentials', () => {
    for (const name of ['jonsmith', 'team/dev', 'my profile', 'a,b', 'prod,eu']) assert.equal(isCredentialsKey(name), true, name);
  });

  it('treats current-format sessions of every type as sessions', () => {
    for (const type of ['sts.GetSessionToken', 'sts.AssumeRole', 'sts.AssumeRoleWithWebIdentity', 'sso.GetRoleCredentials', 'credential_process']) {
      const name = formatSessionKey({ type, profileName: 'p', detail: '', expiry: 1700000000 });
      assert.equal(isSessionKey(name), true, name);
      assert.equal(isCredentialsKey(name), false, name);
      assert.equal(isOidcTokenKey(name), false, name);
    }
  });

  it('treats oidc:<start url> as an SSO token, not credentials', () => {
    assert.equal(isOidcTokenKey('oidc:https://x.awsapps.com/start'), true);
    assert.equal(isCredentialsKey('oidc:https://x.awsapps.com/start'), false);
    assert.equal(isOidcTokenKey('oidcprofile'), false);
  });

  it('does not take a credentials name with commas for a session unless its fields are base64url (as aws-vault decodes them)', () => {
    for (const name of ['client a,prod eu,x,2024', 'a,b=,,1700000000', 'x,y.z,,1']) {
      assert.equal(parseSessionKey(name), undefined, name);
      assert.equal(isCredentialsKey(name), true, name);
    }
  });
});
