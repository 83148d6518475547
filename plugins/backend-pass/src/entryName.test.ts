import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  awsVaultEntryName,
  decodeEntryPath,
  encodeKey,
  entryName,
  fallbackEntryName,
  fromAwsVaultKey,
  invalidKeyReason,
  isAmbiguousKey,
  prefixSegments,
} from './entryName.js';

describe('pass entry names', () => {
  it('keeps aws-vault layout for keys path-cleaning leaves alone', () => {
    for (const key of ['dev', 'team/dev', 'my profile', 'prød-ü', '100%', 'a%b/%c', 'sts.AssumeRole,ZGV2,,1700000000', '-dash', 'x.gpg']) {
      assert.equal(encodeKey(key), key);
      assert.equal(encodeKey(key), awsVaultEntryName([], key));
    }
  });

  it('escapes empty and all-% segments, and round-trips every key', () => {
    assert.equal(encodeKey('oidc:https://x.awsapps.com/start'), 'oidc:https:/%/x.awsapps.com/start');
    assert.equal(encodeKey('a//b'), 'a/%/b');
    assert.equal(encodeKey('a///b'), 'a/%/%/b');
    assert.equal(encodeKey('team/'), 'team/%');
    assert.equal(encodeKey('a/%/b'), 'a/%%/b');
    assert.equal(encodeKey('%'), '%%');
    assert.equal(encodeKey('%%/%%%'), '%%%/%%%%');
    const keys = ['oidc:https://x.awsapps.com/start', 'oidc:https://x.awsapps.com/start/', 'oidc:https://x.awsapps.com/start#/', 'a//b', 'a/b', 'a/%/b', 'a/%%/b', '%', '%%', 'x//', 'x/%', '100%', 'a%/b'];
    const names = new Set(keys.map(encodeKey));
    assert.equal(names.size, keys.length, 'distinct keys get distinct names');
    for (const key of keys) assert.equal(decodeEntryPath(encodeKey(key)), key, key);
  });

  it("maps aws-vault's cleaned OIDC names back, and only those", () => {
    assert.equal(fromAwsVaultKey('oidc:https:/x.awsapps.com/start'), 'oidc:https://x.awsapps.com/start');
    assert.equal(fromAwsVaultKey('oidc:http:/localhost:8080/start'), 'oidc:http://localhost:8080/start');
    assert.equal(fromAwsVaultKey('oidc:https://x.awsapps.com/start'), 'oidc:https://x.awsapps.com/start');
    assert.equal(fromAwsVaultKey('team/dev'), 'team/dev');
    assert.equal(fromAwsVaultKey('xoidc:https:/x'), 'xoidc:https:/x');
    assert.ok(isAmbiguousKey('oidc:https:/x'));
    assert.ok(!isAmbiguousKey('oidc:https://x'));
  });

  it("falls back to aws-vault's name for OIDC token keys only", () => {
    assert.equal(fallbackEntryName([], 'oidc:https://x.awsapps.com/start'), 'oidc:https:/x.awsapps.com/start');
    assert.equal(fallbackEntryName(['aws-vault'], 'oidc:https://x.awsapps.com/start/'), 'aws-vault/oidc:https:/x.awsapps.com/start');
    assert.equal(fallbackEntryName([], 'a//b'), undefined);
    assert.equal(fallbackEntryName([], 'oidc:foo//bar'), undefined);
    assert.equal(fallbackEntryName([], 'dev'), undefined);
  });

  it('joins the cleaned prefix as filepath.Join does', () => {
    assert.deepEqual(prefixSegments(''), []);
    assert.deepEqual(prefixSegments('/aws-vault//sub/./'), ['aws-vault', 'sub']);
    assert.throws(() => prefixSegments('a/../..'));
    assert.equal(entryName(['aws-vault'], 'a//b'), 'aws-vault/a/%/b');
    assert.equal(awsVaultEntryName(['aws-vault'], 'a//b'), 'aws-vault/a/b');
  });

  it('refuses keys that would leave the store or be resolved away', () => {
    for (const key of ['', '..', '../x', 'a/../../x', 'a/..', '/etc/passwd', '/', '.', 'a/./b', 'nul\0', '.git/config', 'x/.extensions/y']) {
      assert.notEqual(invalidKeyReason(key), undefined, JSON.stringify(key));
    }
    for (const key of ['..x', 'a..b', '.hidden', '.git', 'a//b', 'team/', '%']) assert.equal(invalidKeyReason(key), undefined, key);
  });
});
