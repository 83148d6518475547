import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGoDuration, parseGoDuration } from './parseGoDuration.js';

describe('parseGoDuration: Go time.ParseDuration as flags and *_TTL variables take it (milliseconds)', () => {
  const valid: Array<[string, number]> = [
    ['1h', 3_600_000],
    ['90m', 5_400_000],
    ['1h30m', 5_400_000],
    ['43200s', 43_200_000],
    ['12h', 43_200_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['1.s', 1000],
    ['300ms', 300],
    ['1h0m0s', 3_600_000],
    ['59m58s', 3_598_000],
    ['-1m5s', -65_000],
    ['+5s', 5000],
    ['2us', 0.002],
    ['2µs', 0.002],
    ['1000000ns', 1],
    ['0', 0],
    ['-0', 0],
    ['+0', 0],
    [' 15m ', 900_000],
  ];
  for (const [text, ms] of valid) {
    it(`parses ${JSON.stringify(text)} as ${ms} ms`, () => {
      const got = parseGoDuration(text);
      assert.ok(got !== undefined, `${text} should parse`);
      assert.ok(Math.abs(got - ms) < 1e-9, `${text}: got ${got}, want ${ms}`);
    });
  }

  const invalid = ['3600', '', '1', '1d', '1 h', 'h', '1h 30m', '1.2.3s', 'abc', '--1s', '1hm', '5M'];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)} (a unit is required, as in Go)`, () => {
      assert.equal(parseGoDuration(text), undefined);
    });
  }
});

describe('formatGoDuration: Go time.Duration.String() for whole seconds', () => {
  const table: Array<[number, string]> = [
    [3_600_000, '1h0m0s'],
    [3_598_000, '59m58s'],
    [45_000, '45s'],
    [0, '0s'],
    [-65_000, '-1m5s'],
    [-5000, '-5s'],
    [90_061_000, '25h1m1s'],
    [28_800_000, '8h0m0s'],
    [60_000, '1m0s'],
    [1_999, '1s'],
    [999, '0s'],
    [-999, '0s'],
    [3_600_500, '1h0m0s'],
  ];
  for (const [ms, text] of table) {
    it(`formats ${ms} ms as ${text}`, () => {
      assert.equal(formatGoDuration(ms), text);
    });
  }

  it('round-trips with parseGoDuration for whole seconds', () => {
    for (const seconds of [1, 59, 60, 61, 3599, 3600, 3661, 43_200, 129_600]) {
      assert.equal(parseGoDuration(formatGoDuration(seconds * 1000)), seconds * 1000);
    }
  });
});
