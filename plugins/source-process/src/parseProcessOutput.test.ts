import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcessOutput, parseRfc3339 } from './parseProcessOutput.js';

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const parse = (value: unknown) => parseProcessOutput(typeof value === 'string' ? value : JSON.stringify(value), 'cp', NOW);

function rejects(value: unknown, code: string, message: RegExp): void {
  assert.throws(() => parse(value), (error: { code?: string; message: string; hint?: string }) => {
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.ok(!error.message.includes(SECRET) && !(error.hint ?? '').includes(SECRET), 'the secret is never repeated');
    return true;
  });
}

describe('parseProcessOutput', () => {
  it('reads a full Version 1 document', () => {
    const c = parse({ Version: 1, AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: SECRET, SessionToken: 'token', Expiration: '2024-01-01T13:00:00Z' });
    assert.deepEqual(c, { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token', expiration: new Date(NOW + 3600_000) });
  });

  it('accepts long-term keys without SessionToken and Expiration (aws-vault requires both)', () => {
    assert.deepEqual(parse({ Version: 1, AccessKeyId: 'AKIAEXAMPLE', SecretAccessKey: SECRET }), { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET });
    assert.deepEqual(parse({ Version: 1, AccessKeyId: 'AKIA', SecretAccessKey: SECRET, SessionToken: null, Expiration: '' }), { accessKeyId: 'AKIA', secretAccessKey: SECRET });
  });

  it('ignores other fields, white space around the document and a BOM', () => {
    const text = `\uFEFF\n  ${JSON.stringify({ Version: 1, AccessKeyId: 'A', SecretAccessKey: SECRET, AccountId: '123456789012', Extra: { x: 1 } })}\n\n`;
    assert.deepEqual(parse(text), { accessKeyId: 'A', secretAccessKey: SECRET });
  });

  it('requires Version to be the number 1', () => {
    rejects({ AccessKeyId: 'A', SecretAccessKey: SECRET }, 'CREDENTIAL_PROCESS_BAD_VERSION', /^profile cp: credential_process printed no Version; only Version 1 is supported$/);
    rejects({ Version: 2, AccessKeyId: 'A', SecretAccessKey: SECRET }, 'CREDENTIAL_PROCESS_BAD_VERSION', /printed Version 2;/);
    rejects({ Version: '1', AccessKeyId: 'A', SecretAccessKey: SECRET }, 'CREDENTIAL_PROCESS_BAD_VERSION', /printed Version "1";/);
  });

  it('requires AccessKeyId and SecretAccessKey, case-sensitively', () => {
    rejects({ Version: 1, SessionToken: 't' }, 'CREDENTIAL_PROCESS_MISSING_FIELDS', /^profile cp: credential_process output lacks AccessKeyId and SecretAccessKey$/);
    rejects({ Version: 1, AccessKeyId: 'A', SecretAccessKey: '' }, 'CREDENTIAL_PROCESS_MISSING_FIELDS', /lacks SecretAccessKey$/);
    assert.throws(() => parse({ Version: 1, accessKeyId: 'A', secretAccessKey: SECRET }), (e: { code: string; hint: string }) => {
      assert.equal(e.code, 'CREDENTIAL_PROCESS_MISSING_FIELDS');
      assert.equal(e.hint, 'field names are case-sensitive; found accessKeyId, secretAccessKey');
      return true;
    });
  });

  it('rejects fields of the wrong type', () => {
    rejects({ Version: 1, AccessKeyId: 42, SecretAccessKey: SECRET }, 'CREDENTIAL_PROCESS_INVALID_FIELD', /AccessKeyId that is not a string/);
    rejects({ Version: 1, AccessKeyId: 'A', SecretAccessKey: SECRET, Expiration: 1700000000 }, 'CREDENTIAL_PROCESS_INVALID_FIELD', /Expiration that is not a string/);
  });

  it('requires an RFC 3339 Expiration in the future', () => {
    rejects({ Version: 1, AccessKeyId: 'A', SecretAccessKey: SECRET, Expiration: 'tomorrow' }, 'CREDENTIAL_PROCESS_INVALID_FIELD', /Expiration that is not an RFC 3339 time: "tomorrow"/);
    rejects({ Version: 1, AccessKeyId: 'A', SecretAccessKey: SECRET, Expiration: '2024-01-01T11:59:59Z' }, 'CREDENTIAL_PROCESS_EXPIRED', /returned credentials that expired at 2024-01-01T11:59:59.000Z$/);
  });

  it('never quotes invalid output, which may hold a secret', () => {
    rejects(`{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "${SECRET}",}`, 'CREDENTIAL_PROCESS_INVALID_JSON', /^profile cp: credential_process printed output that is not valid JSON$/);
    rejects(`AWS_SECRET_ACCESS_KEY=${SECRET}`, 'CREDENTIAL_PROCESS_INVALID_JSON', /not valid JSON$/);
    rejects('[1]', 'CREDENTIAL_PROCESS_INVALID_JSON', /JSON that is not an object$/);
    rejects('  \n', 'CREDENTIAL_PROCESS_INVALID_JSON', /printed nothing on stdout$/);
  });
});

describe('parseRfc3339', () => {
  it('reads Z, offsets, lower case and fractions', () => {
    assert.equal(parseRfc3339('2024-01-01T12:00:00Z'), NOW);
    assert.equal(parseRfc3339('2024-01-01t12:00:00z'), NOW);
    assert.equal(parseRfc3339('2024-01-01T14:30:00+02:30'), NOW);
    assert.equal(parseRfc3339('2024-01-01T07:00:00-05:00'), NOW);
    assert.equal(parseRfc3339('2024-01-01T12:00:00.123456789Z'), NOW + 123);
    assert.equal(parseRfc3339('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  });
  it('rejects what is not RFC 3339', () => {
    for (const text of ['2024-01-01', '2024-01-01T12:00:00', '2024-01-01 12:00:00Z', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T12:00:60Z', '1704110400', '']) {
      assert.equal(parseRfc3339(text), undefined, text);
    }
  });
});
