import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImdsTokens, parseTokenTtl } from './imdsToken.js';

describe('parseTokenTtl', () => {
  it('accepts 1 to 21600 seconds as decimal digits only', () => {
    assert.equal(parseTokenTtl('1'), 1);
    assert.equal(parseTokenTtl('21600'), 21600);
    assert.equal(parseTokenTtl('00060'), 60);
    for (const bad of [undefined, '', '0', '21601', '-1', '1.5', ' 60', '60s', '1e3', '0x10', '999999', ['60', '60']]) assert.equal(parseTokenTtl(bad as string), undefined, String(bad));
  });
});

describe('ImdsTokens', () => {
  it('verifies its own tokens until they expire', () => {
    let now = 1_000_000;
    const tokens = new ImdsTokens(() => now);
    const token = tokens.issue(60);
    assert.match(token, /^[A-Za-z0-9_-]{75}$/);
    assert.equal(tokens.verify(token), true);
    now += 59_999;
    assert.equal(tokens.verify(token), true);
    now += 1;
    assert.equal(tokens.verify(token), false);
  });

  it('gives a different token each time', () => {
    const tokens = new ImdsTokens();
    assert.notEqual(tokens.issue(60), tokens.issue(60));
  });

  it('refuses forged, altered, foreign and malformed tokens', () => {
    const tokens = new ImdsTokens();
    const token = tokens.issue(600);
    const flipped = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    const foreign = new ImdsTokens().issue(600);
    for (const bad of [undefined, '', 'x', flipped, foreign, `${token}=`, `${token}A`, ` ${token}`, token.slice(0, -1), [token, token], 'A'.repeat(75), 'A'.repeat(10_000)]) {
      assert.equal(tokens.verify(bad as string), false, String(bad).slice(0, 20));
    }
  });
});
