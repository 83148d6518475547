import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ItemJsonError, decodeItemJson, encodeItemJson } from './itemJson.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('item JSON', () => {
  it('writes the keyring Item fields in Go order with padded standard base64', () => {
    const json = text(encodeItemJson({ key: 'dev', data: Uint8Array.of(0xfb, 0xff), label: 'aws-vault (dev)' }));
    assert.equal(
      json,
      '{"Key":"dev","Data":"+/8=","Label":"aws-vault (dev)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}',
    );
    const plain = text(encodeItemJson({ key: 'k', data: new Uint8Array(0), description: 'd' }, { keychainNotTrustApplication: false }));
    assert.equal(plain, '{"Key":"k","Data":"","Label":"","Description":"d","KeychainNotTrustApplication":false,"KeychainNotSynchronizable":false}');
  });

  it('escapes like Go encoding/json (<, >, &, U+2028) and stays valid JSON', () => {
    const json = text(encodeItemJson({ key: 'a<b>&c\u2028"\\', data: bytes('x') }));
    assert.ok(json.startsWith('{"Key":"a\\u003cb\\u003e\\u0026c\\u2028\\"\\\\"'), json);
    assert.equal(JSON.parse(json).Key, 'a<b>&c\u2028"\\');
  });

  it('round-trips', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 31) % 256);
    const item = decodeItemJson(encodeItemJson({ key: 'prød/ü', data, label: 'L', description: 'D' }));
    assert.deepEqual(item, {
      key: 'prød/ü',
      data: new Uint8Array(data),
      label: 'L',
      description: 'D',
      keychainNotTrustApplication: true,
      keychainNotSynchronizable: false,
    });
  });

  it('matches member names case-insensitively, ignores unknown ones and tolerates missing ones', () => {
    const item = decodeItemJson(bytes('{"key":"dev","DATA":"aGVsbG8=","lAbEl":"l","Extra":{"x":[1]},"keychainnotsynchronizable":true}'));
    assert.equal(item.key, 'dev');
    assert.equal(text(item.data), 'hello');
    assert.equal(item.label, 'l');
    assert.equal(item.description, '');
    assert.equal(item.keychainNotSynchronizable, true);
    assert.equal(item.keychainNotTrustApplication, false);
    const empty = decodeItemJson(bytes('{"Data":null}'));
    assert.equal(empty.key, '');
    assert.equal(empty.data.length, 0);
    assert.equal(text(decodeItemJson(bytes('{"Data":"aGVs\\nbG8="}')).data), 'hello', 'Go ignores newlines in base64');
  });

  it('rejects what Go would refuse', () => {
    for (const bad of ['', 'not json', '[]', '"x"', 'null', '{"Data":"a"}', '{"Data":"aGVsbG8"}', '{"Data":"a-_="}', '{"Data":5}', '{"Key":1}', '{"KeychainNotTrustApplication":"yes"}']) {
      assert.throws(() => decodeItemJson(bytes(bad)), ItemJsonError, bad);
    }
    assert.throws(() => decodeItemJson(Uint8Array.of(0x7b, 0xff, 0x7d)), ItemJsonError, 'invalid UTF-8');
  });
});
