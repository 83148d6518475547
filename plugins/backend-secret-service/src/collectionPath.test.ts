import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectionPathMatches, decodePathSegment } from './collectionPath.js';

describe('collection paths', () => {
  it("decodes gnome-keyring's _XX escapes", () => {
    assert.equal(decodePathSegment('aws_2dvault'), 'aws-vault');
    assert.equal(decodePathSegment('vault_5flabel'), 'vault_label');
    assert.equal(decodePathSegment('pr_c3_b8d'), 'prød');
    assert.equal(decodePathSegment('a_zz_'), 'a_zz_');
  });

  it('matches /org/freedesktop/secrets/collection/<name> only', () => {
    assert.ok(collectionPathMatches('/org/freedesktop/secrets/collection/awsvault', 'awsvault'));
    assert.ok(collectionPathMatches('/org/freedesktop/secrets/collection/aws_2dvault', 'aws-vault'));
    assert.ok(!collectionPathMatches('/org/freedesktop/secrets/collection/awsvault2', 'awsvault'));
    assert.ok(!collectionPathMatches('/org/freedesktop/secrets/collection/awsvault/1', 'awsvault'));
    assert.ok(!collectionPathMatches('/org/freedesktop/secrets/aliases/awsvault', 'awsvault'));
  });
});
