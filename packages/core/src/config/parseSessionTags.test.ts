import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSessionTags, parseTransitiveTags } from './parseSessionTags.js';

describe('parseSessionTags: session_tags = k1=v1,k2=v2', () => {
  it('splits on commas and on the first "=", trimming keys and values', () => {
    assert.deepEqual(parseSessionTags(' team = platform , env=prod,expr=a=b'), { team: 'platform', env: 'prod', expr: 'a=b' });
  });

  it('keeps an empty value', () => {
    assert.deepEqual(parseSessionTags('k='), { k: '' });
  });

  it('rejects a part without "=" (aws-vault: session tags string must be <key1>=<value1>,...)', () => {
    assert.equal(parseSessionTags('a'), undefined);
    assert.equal(parseSessionTags('a=1,b'), undefined);
  });

  it('rejects a trailing comma, as aws-vault does', () => {
    assert.equal(parseSessionTags('a=1,'), undefined);
  });

  it('rejects an empty key and empty text', () => {
    assert.equal(parseSessionTags('=v'), undefined);
    assert.equal(parseSessionTags(''), undefined);
  });
});

describe('parseTransitiveTags: transitive_session_tags = k1,k2', () => {
  it('trims parts and drops empty ones', () => {
    assert.deepEqual(parseTransitiveTags(' team, ,env,'), ['team', 'env']);
    assert.deepEqual(parseTransitiveTags(''), []);
  });
});
