import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyringItemJsonError, decodeKeyringItemJson } from '@awsvault/core';
import { ItemJsonError, decodeItemJson, encodeItemJson } from './itemJson.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

// The format itself is tested with @awsvault/core's keyring item JSON; this is the package's own API.
describe('item JSON (this package\'s exports)', () => {
  it('encodeItemJson takes KeychainNotTrustApplication as a second argument, else sets it as aws-vault does', () => {
    const json = text(encodeItemJson({ key: 'jonsmith', data: bytes('{}'), label: 'aws-vault (jonsmith)' }));
    assert.equal(json, '{"Key":"jonsmith","Data":"e30=","Label":"aws-vault (jonsmith)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}');
    assert.match(text(encodeItemJson({ key: 'jonsmith', data: bytes('{}') }, false)), /"KeychainNotTrustApplication":false/);
    assert.match(text(encodeItemJson({ key: 'sts.GetSessionToken,ZGV2,,1700000000', data: bytes('{}') })), /"KeychainNotTrustApplication":false/);
    assert.match(text(encodeItemJson({ key: 'sts.GetSessionToken,ZGV2,,1700000000', data: bytes('{}') }, true)), /"KeychainNotTrustApplication":true/);
  });

  it('decodeItemJson and ItemJsonError are core\'s', () => {
    assert.equal(decodeItemJson, decodeKeyringItemJson);
    assert.equal(ItemJsonError, KeyringItemJsonError);
    assert.throws(() => decodeItemJson(bytes('[]')), ItemJsonError);
  });
});
