import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeItemJson, encodeItemJson, PassItemJsonError } from './itemJson.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('pass item JSON', () => {
  it("writes aws-vault's whole-item JSON, members in Go order", () => {
    const data = bytes('{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"s3cr3t"}');
    const json = text(encodeItemJson({ key: 'dev', data, label: 'aws-vault (dev)' }));
    assert.equal(
      json,
      `{"Key":"dev","Data":"${Buffer.from(data).toString('base64')}","Label":"aws-vault (dev)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}`,
    );
  });

  it('marks sessions and OIDC tokens as trusted, like aws-vault', () => {
    for (const key of ['sts.GetSessionToken,ZGV2,,1700000000', 'oidc:https://x.awsapps.com/start']) {
      assert.match(text(encodeItemJson({ key, data: bytes('{}') })), /"KeychainNotTrustApplication":false/);
    }
  });

  it('escapes as Go does', () => {
    const json = text(encodeItemJson({ key: 'a<b>&c\u2028', data: new Uint8Array(0), description: 'tab\tff\f' }));
    assert.match(json, /"Key":"a\\u003cb\\u003e\\u0026c\\u2028"/);
    assert.match(json, /"Description":"tab\\tff\\u000c"/);
    assert.equal(decodeItemJson(bytes(json)).key, 'a<b>&c\u2028');
    assert.match(text(encodeItemJson({ key: 'q"\\\ud800', data: new Uint8Array(0) })), /"Key":"q\\"\\\\\\ufffd"/);
  });

  it('round-trips binary data', () => {
    const data = new Uint8Array(1000).map((_, i) => (i * 31) % 256);
    const back = decodeItemJson(encodeItemJson({ key: 'k', data, label: 'l', description: 'd' }));
    assert.deepEqual(Buffer.from(back.data), Buffer.from(data));
    assert.equal(back.label, 'l');
    assert.equal(back.description, 'd');
    assert.equal(back.keychainNotTrustApplication, true);
  });

  it('reads member names case-insensitively (Kelvin sign and long s too), ignoring unknown ones', () => {
    const item = decodeItemJson(bytes('{"key":"dev","DATA":"eA==","\u212Aey2":1,"LABEL":"l","de\u017fcription":"d","keychainnottrustapplication":true,"Extra":[1]}\n'));
    assert.equal(item.key, 'dev');
    assert.equal(text(item.data), 'x');
    assert.equal(item.label, 'l');
    assert.equal(item.description, 'd');
    assert.equal(item.keychainNotTrustApplication, true);
    assert.equal(decodeItemJson(bytes('{"\u212Aey":"kelvin"}')).key, 'kelvin');
  });

  it('keeps zero values for missing and null members; the last duplicate wins', () => {
    const item = decodeItemJson(bytes('{"Key":null,"Data":null}'));
    assert.equal(item.key, '');
    assert.equal(item.data.length, 0);
    assert.equal(decodeItemJson(bytes('{"Key":"a","key":"b"}')).key, 'b');
    assert.equal(text(decodeItemJson(bytes('{"Data":"eA\\n=="}')).data), 'x');
  });

  it('rejects what Go would not decode', () => {
    for (const bad of ['', 'not json', '[]', '"x"', 'null', '{"Data":"e"}', '{"Data":"eA"}', '{"Data":"e-A="}', '{"Key":1}', '{"KeychainNotSynchronizable":"yes"}', '{"Data":true}']) {
      assert.throws(() => decodeItemJson(bytes(bad)), PassItemJsonError, bad);
    }
    assert.throws(() => decodeItemJson(new Uint8Array([0x7b, 0xff, 0x7d])), PassItemJsonError);
  });
});
