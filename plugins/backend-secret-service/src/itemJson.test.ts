import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ItemJsonError, decodeItemJson, encodeItemJson } from './itemJson.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('item JSON', () => {
  it('writes what Go json.Marshal writes for a keyring.Item', () => {
    const json = text(encodeItemJson({ key: 'jonsmith', data: bytes('{"AccessKeyID":"ABC","SecretAccessKey":"XYZ"}'), label: 'aws-vault (jonsmith)' }));
    assert.equal(
      json,
      '{"Key":"jonsmith","Data":"eyJBY2Nlc3NLZXlJRCI6IkFCQyIsIlNlY3JldEFjY2Vzc0tleSI6IlhZWiJ9","Label":"aws-vault (jonsmith)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}',
    );
  });

  it('escapes like Go: HTML characters, U+2028/2029, lone surrogates as U+FFFD', () => {
    const json = text(encodeItemJson({ key: 'a<b>&c\u2028\ud800', data: new Uint8Array(0), description: 'sess' }, false));
    assert.equal(json, '{"Key":"a\\u003cb\\u003e\\u0026c\\u2028\ufffd","Data":"","Label":"","Description":"sess","KeychainNotTrustApplication":false,"KeychainNotSynchronizable":false}');
  });

  it('round-trips binary data', () => {
    const data = new Uint8Array(300).map((_, i) => (i * 31) % 256);
    assert.deepEqual(decodeItemJson(encodeItemJson({ key: 'k', data })).data, data);
  });

  it('matches member names case-insensitively, as Go does (including the Kelvin sign and long s)', () => {
    const item = decodeItemJson(bytes('{"key":"k","DATA":"eA==","lAbEl":"l","\u212aeychainNotTrustApplication":true,"Description":"d","keychainnot\u017fynchronizable":true,"Other":1}'));
    assert.deepEqual({ ...item, data: text(item.data) }, { key: 'k', data: 'x', label: 'l', description: 'd', keychainNotTrustApplication: true, keychainNotSynchronizable: true });
  });

  it('keeps zero values for missing and null members', () => {
    const item = decodeItemJson(bytes('{"Key":null,"Data":null}'));
    assert.deepEqual({ ...item, data: [...item.data] }, { key: '', data: [], label: '', description: '', keychainNotTrustApplication: false, keychainNotSynchronizable: false });
  });

  it('accepts base64 with line breaks, refuses other bad input', () => {
    assert.equal(text(decodeItemJson(bytes('{"Data":"eHl6\\r\\neHl6"}')).data), 'xyzxyz');
    for (const bad of ['not json', '[]', '"x"', '{"Data":"eA"}', '{"Data":"e-A="}', '{"Data":1}', '{"Key":1}', '{"KeychainNotSynchronizable":"yes"}']) {
      assert.throws(() => decodeItemJson(bytes(bad)), ItemJsonError, bad);
    }
  });
});
