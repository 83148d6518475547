import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constantTimeEqual } from './constantTimeEqual.js';

describe('constantTimeEqual', () => {
  const token = 'QmFzZTY0dXJsLWVuY29kZWQtMzAtYnl0ZXMtdG9rZW4';

  it('accepts only the exact value', () => {
    assert.equal(constantTimeEqual(token, token), true);
    assert.equal(constantTimeEqual(`${token.slice(0, -1)}x`, token), false);
    assert.equal(constantTimeEqual(`Bearer ${token}`, token), false);
    assert.equal(constantTimeEqual(token.toLowerCase(), token), false);
  });

  it('compares values of any length without throwing (timingSafeEqual alone would throw)', () => {
    for (const given of ['', 'x', token.slice(0, 20), `${token}${token}`, 'a'.repeat(100_000)]) {
      assert.equal(constantTimeEqual(given, token), false, `length ${given.length}`);
    }
  });

  it('treats a missing value as a mismatch, even against the empty string', () => {
    assert.equal(constantTimeEqual(undefined, token), false);
    assert.equal(constantTimeEqual(undefined, ''), false);
  });
});
