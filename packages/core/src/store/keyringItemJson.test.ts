import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyringItemJsonError, decodeKeyringItemJson, encodeKeyringItemJson } from './keyringItemJson.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('keyring item JSON: writing', () => {
  it('writes what Go json.Marshal writes for a keyring.Item: members in struct order, padded standard base64, no newline', () => {
    const data = bytes('{"AccessKeyID":"ABC","SecretAccessKey":"XYZ"}');
    assert.equal(
      text(encodeKeyringItemJson({ key: 'jonsmith', data, label: 'aws-vault (jonsmith)' })),
      '{"Key":"jonsmith","Data":"eyJBY2Nlc3NLZXlJRCI6IkFCQyIsIlNlY3JldEFjY2Vzc0tleSI6IlhZWiJ9","Label":"aws-vault (jonsmith)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}',
    );
    assert.equal(
      text(encodeKeyringItemJson({ key: 'dev', data: Uint8Array.of(0xfb, 0xff), label: 'aws-vault (dev)' })),
      '{"Key":"dev","Data":"+/8=","Label":"aws-vault (dev)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}',
    );
  });

  it('sets KeychainNotTrustApplication as aws-vault does: on long-term credentials only, unless told', () => {
    for (const key of ['sts.GetSessionToken,ZGV2,,1700000000', 'oidc:https://x.awsapps.com/start']) {
      assert.match(text(encodeKeyringItemJson({ key, data: bytes('{}') })), /"KeychainNotTrustApplication":false/);
    }
    assert.equal(
      text(encodeKeyringItemJson({ key: 'k', data: new Uint8Array(0), description: 'd' }, { keychainNotTrustApplication: false })),
      '{"Key":"k","Data":"","Label":"","Description":"d","KeychainNotTrustApplication":false,"KeychainNotSynchronizable":false}',
    );
    assert.match(text(encodeKeyringItemJson({ key: 'oidc:x', data: new Uint8Array(0) }, { keychainNotTrustApplication: true })), /"KeychainNotTrustApplication":true/);
  });

  it('escapes strings as Go 1.20 does and stays valid JSON', () => {
    const json = text(encodeKeyringItemJson({ key: 'a<b>&c\u2028\u2029"\\', data: new Uint8Array(0), description: 'tab\tff\fnl\nbs\b\u0001' }));
    assert.match(json, /"Key":"a\\u003cb\\u003e\\u0026c\\u2028\\u2029\\"\\\\"/);
    assert.match(json, /"Description":"tab\\tff\\u000cnl\\nbs\\u0008\\u0001"/);
    assert.equal(JSON.parse(json).Key, 'a<b>&c\u2028\u2029"\\');
    assert.equal(decodeKeyringItemJson(bytes(json)).description, 'tab\tff\fnl\nbs\b\u0001');
    // A lone surrogate is not UTF-8: Go writes invalid UTF-8 as \ufffd.
    assert.match(text(encodeKeyringItemJson({ key: 'q\ud800', data: new Uint8Array(0) })), /"Key":"q\\ufffd"/);
    assert.equal(JSON.parse(text(encodeKeyringItemJson({ key: 'prød/ü 😀', data: new Uint8Array(0) }))).Key, 'prød/ü 😀');
  });
});

describe('keyring item JSON: reading', () => {
  it('round-trips every field and binary data', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) % 256);
    assert.deepEqual(decodeKeyringItemJson(encodeKeyringItemJson({ key: 'prød/ü', data, label: 'L', description: 'D' })), {
      key: 'prød/ü',
      data,
      label: 'L',
      description: 'D',
      keychainNotTrustApplication: true,
      keychainNotSynchronizable: false,
    });
  });

  it('matches member names case-insensitively as Go does (the Kelvin sign and long s too), ignoring unknown ones', () => {
    const item = decodeKeyringItemJson(bytes('{"key":"k","DATA":"eA==","lAbEl":"l","\u212aeychainNotTrustApplication":true,"de\u017fcription":"d","keychainnot\u017fynchronizable":true,"\u212Aey2":1,"Other":{"x":[1]}}\n'));
    assert.deepEqual({ ...item, data: text(item.data) }, { key: 'k', data: 'x', label: 'l', description: 'd', keychainNotTrustApplication: true, keychainNotSynchronizable: true });
    assert.equal(decodeKeyringItemJson(bytes('{"\u212Aey":"kelvin"}')).key, 'kelvin');
  });

  it('keeps zero values for missing and null members; a later member for the same field wins', () => {
    const item = decodeKeyringItemJson(bytes('{"Key":null,"Data":null}'));
    assert.deepEqual({ ...item, data: [...item.data] }, { key: '', data: [], label: '', description: '', keychainNotTrustApplication: false, keychainNotSynchronizable: false });
    assert.equal(decodeKeyringItemJson(bytes('{"Key":"a","key":"b"}')).key, 'b');
  });

  it('accepts base64 with line breaks (Go skips CR and LF) and invalid UTF-8 in strings (as U+FFFD)', () => {
    assert.equal(text(decodeKeyringItemJson(bytes('{"Data":"eHl6\\r\\neHl6"}')).data), 'xyzxyz');
    assert.equal(text(decodeKeyringItemJson(bytes('{"Data":"aGVs\\nbG8="}')).data), 'hello');
    assert.equal(decodeKeyringItemJson(Uint8Array.from([...bytes('{"Label":"a'), 0xff, ...bytes('b"}')])).label, 'a\ufffdb');
  });

  it('refuses what Go would not decode, with a one-line message that never quotes the content', () => {
    const bad = [
      '', 'not json', '[]', '"x"', 'null', '{"Data":"a"}', '{"Data":"e"}', '{"Data":"eA"}', '{"Data":"aGVsbG8"}', '{"Data":"a-_="}', '{"Data":"e-A="}',
      '{"Data":5}', '{"Data":true}', '{"Key":1}', '{"Key":1,"key":"later"}', '{"KeychainNotTrustApplication":"yes"}', '{"KeychainNotSynchronizable":"yes"}',
    ];
    for (const input of bad) assert.throws(() => decodeKeyringItemJson(bytes(input)), KeyringItemJsonError, input);
    assert.throws(() => decodeKeyringItemJson(Uint8Array.of(0x7b, 0xff, 0x7d)), KeyringItemJsonError);
    assert.throws(() => decodeKeyringItemJson(bytes('{"AccessKeyID":"AKIASECRET"')), (error: unknown) => {
      assert.ok(error instanceof KeyringItemJsonError);
      assert.equal(error.message, 'the stored value is not JSON');
      assert.equal(error.cause, undefined, 'the parser error quotes the content');
      return true;
    });
    assert.throws(() => decodeKeyringItemJson(bytes('[1]'), 'the entry'), { message: 'the entry is not a JSON object' });
    assert.throws(() => decodeKeyringItemJson(bytes('{"DATA":"!"}')), { message: 'member "DATA" is not standard base64' });
    assert.throws(() => decodeKeyringItemJson(bytes('{"Label":true}')), { message: 'member "Label" is not a string' });
  });
});
