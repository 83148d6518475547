import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFileName, encodeFileName, invalidKeyReason, isTempFileName, TEMP_FILE_PREFIX } from './fileName.js';

describe('file names', () => {
  it('escapes only % and / (upper-case hex)', () => {
    assert.equal(encodeFileName('abc/.././123'), 'abc%2F..%2F.%2F123');
    assert.equal(encodeFileName('oidc:https://x/start'), 'oidc:https:%2F%2Fx%2Fstart');
    assert.equal(encodeFileName('100%'), '100%25');
    assert.equal(encodeFileName('sts.AssumeRole,ZGV2,,1700000000'), 'sts.AssumeRole,ZGV2,,1700000000');
    assert.equal(encodeFileName('my profile'), 'my profile');
    assert.equal(encodeFileName('prød-ü 🙂'), 'prød-ü 🙂');
    assert.equal(encodeFileName('%2F'), '%252F');
  });

  it('decodes %25 and %2F (either hex case) and leaves other sequences literal', () => {
    assert.equal(decodeFileName('abc%2F..%2F.%2F123'), 'abc/.././123');
    assert.equal(decodeFileName('oidc:https:%2f%2fx%2fstart'), 'oidc:https://x/start');
    assert.equal(decodeFileName('100%25'), '100%');
    assert.equal(decodeFileName('%252F'), '%2F');
    assert.equal(decodeFileName('50%off%zz%'), '50%off%zz%');
  });

  it('round-trips awkward keys', () => {
    const keys = ['abc/.././123', 'oidc:https://x/start', '100%', '%', '%%2F/', 'a//b', '/', 'prød-ü', 'x%2Fy', '%25', 'dev'];
    for (const key of keys) {
      const name = encodeFileName(key);
      assert.ok(!name.includes('/'), name);
      assert.equal(decodeFileName(name), key);
    }
    assert.equal(new Set(keys.map(encodeFileName)).size, keys.length, 'distinct keys give distinct names');
  });

  it('recognises temp files and rejects keys that cannot be files', () => {
    assert.ok(isTempFileName(`${TEMP_FILE_PREFIX}0011`));
    assert.ok(!isTempFileName('dev'));
    for (const key of ['', '.', '..', 'a\0b', `${TEMP_FILE_PREFIX}x`]) assert.ok(invalidKeyReason(key) !== undefined, JSON.stringify(key));
    for (const key of ['...', '.hidden', '../x', 'dev']) assert.equal(invalidKeyReason(key), undefined, key);
  });
});
