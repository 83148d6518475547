import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import * as jose from 'jose';
import { encodeKeyringItemJson } from '@awsvault/core';
import {
  JweError,
  aesKeyUnwrap,
  aesKeyWrap,
  base64UrlDecode,
  decryptJwe,
  encryptJwe,
  goTimeString,
  parseJweHeader,
} from './jwe.js';

const enc = new TextEncoder();
const seq = (start: number, length: number) => Uint8Array.from({ length }, (_, i) => start + i);
const PASS = 'correct horse battery staple';

async function rejectsKind(promise: Promise<unknown>, kind: 'key' | 'corrupt', pattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof JweError, `expected JweError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

/** Re-assembles a JWE after changing one part. */
function withPart(jwe: string, index: number, change: (bytes: Buffer) => Buffer): string {
  const parts = jwe.split('.');
  parts[index] = change(Buffer.from(parts[index] ?? '', 'base64url')).toString('base64url');
  return parts.join('.');
}

describe('AES key wrap', () => {
  it('matches RFC 3394 §4.1 (128-bit KEK, 128-bit key data)', () => {
    const kek = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');
    const data = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');
    const wrapped = aesKeyWrap(kek, data);
    assert.equal(wrapped.toString('hex').toUpperCase(), '1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5');
    assert.deepEqual(aesKeyUnwrap(kek, wrapped), data);
    wrapped[3]! ^= 1;
    assert.throws(() => aesKeyUnwrap(kek, wrapped), (error: unknown) => error instanceof JweError && error.kind === 'key');
  });
});

describe('JWE known answer', () => {
  // Every random input fixed. The expected string was checked against jose (below, live): jose
  // produces the identical bytes when given the same header member order, CEK and IV.
  const plaintext = encodeKeyringItemJson({ key: 'dev', data: enc.encode('{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"secret"}'), label: 'aws-vault (dev)' });
  const fixed = { p2s: seq(0, 12), iv: seq(0x10, 12), cek: seq(0x20, 32), created: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120)) };
  const EXPECTED_HEADER = '{"alg":"PBES2-HS256+A128KW","created":"2024-01-02 03:04:05.12 +0000 UTC","enc":"A256GCM","p2c":8192,"p2s":"AAECAwQFBgcICQoL"}';
  const EXPECTED =
    'eyJhbGciOiJQQkVTMi1IUzI1NitBMTI4S1ciLCJjcmVhdGVkIjoiMjAyNC0wMS0wMiAwMzowNDowNS4xMiArMDAwMCBVVEMiLCJlbmMiOiJBMjU2R0NNIiwicDJjIjo4MTkyLCJwMnMiOiJBQUVDQXdRRkJnY0lDUW9MIn0' +
    '.rngV5teUg2qjmIKjH_q5I6f6RjQwM62-bT-NcjUa-XPCOKy7bYJpVg' +
    '.EBESExQVFhcYGRob' +
    '.W_-0dzZhKKQXPVEG-OrkQBns9mIXbX5Y4mN0reCrsaVhNanzrUiSA65VS-kQetvLFirduMenHiCINMiJ3YaB6Y7vrekXV6tfxIKTfeK23-rATMT7KM9qzsX9canczQG2DQOl-pRhjIvfMgt0akriamv1i2WiKcFzsUheJWibSX-CFwVfwCKcf67vP9tDVmrXRYyItT3yT2CT4HYj3hcdvFwhFPVPROqUaY7dTw9xToxLJ29CdQyri4qCWB9ECPle_0SGX9EzmAhIhKiNSIm-IYwsFQ' +
    '.lDcAYZd8QyKVdfKwy4T3Ag';

  it('writes the pinned bytes', async () => {
    const jwe = await encryptJwe(plaintext, PASS, fixed);
    assert.equal(Buffer.from(jwe.split('.')[0] ?? '', 'base64url').toString('utf8'), EXPECTED_HEADER);
    assert.equal(jwe, EXPECTED);
  });

  it('equals what jose writes from the same inputs', async () => {
    const viaJose = await new jose.CompactEncrypt(plaintext)
      .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', created: '2024-01-02 03:04:05.12 +0000 UTC', enc: 'A256GCM', p2c: 8192, p2s: 'AAECAwQFBgcICQoL' })
      .setKeyManagementParameters({ p2c: 8192, p2s: fixed.p2s })
      .setContentEncryptionKey(fixed.cek)
      .setInitializationVector(fixed.iv)
      .encrypt(enc.encode(PASS));
    assert.equal(viaJose, EXPECTED);
  });

  it('decrypts the pinned bytes', async () => {
    const { plaintext: out, header } = await decryptJwe(EXPECTED, PASS);
    assert.deepEqual(Buffer.from(out), Buffer.from(plaintext));
    assert.equal(header.p2c, 8192);
    assert.equal(header.created, '2024-01-02 03:04:05.12 +0000 UTC');
  });
});

describe('JWE interop with jose', () => {
  it('jose decrypts what we write', async () => {
    const plaintext = encodeKeyringItemJson({ key: 'team/dev', data: enc.encode('{"AccessKeyID":"A"}'), label: 'aws-vault (team/dev)' });
    const jwe = await encryptJwe(plaintext, PASS);
    const result = await jose.compactDecrypt(jwe, enc.encode(PASS), { keyManagementAlgorithms: ['PBES2-HS256+A128KW'], maxPBES2Count: 1_300_000 });
    assert.deepEqual(Buffer.from(result.plaintext), Buffer.from(plaintext));
    assert.deepEqual(Object.keys(result.protectedHeader), ['alg', 'created', 'enc', 'p2c', 'p2s']);
    assert.equal(result.protectedHeader.p2c, 8192);
    assert.equal(base64UrlDecode(String(result.protectedHeader.p2s))?.length, 12);
  });

  it('we decrypt what jose writes (any p2c up to the limit, non-ASCII passphrase)', async () => {
    for (const [pass, p2c] of [[PASS, 8192], ['pässwörd 🙂', 1], ['', 2048]] as const) {
      const jwe = await new jose.CompactEncrypt(enc.encode('{"Key":"x","Data":"eA=="}'))
        .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM' })
        .setKeyManagementParameters({ p2c, p2s: randomBytes(12) })
        .encrypt(enc.encode(pass));
      assert.equal(new TextDecoder().decode((await decryptJwe(jwe, pass)).plaintext), '{"Key":"x","Data":"eA=="}');
    }
  });
});

describe('JWE failures', () => {
  const good = () => encryptJwe(enc.encode('{"Key":"k","Data":""}'), PASS, { p2c: 1000 });

  it('a wrong passphrase fails the key unwrap', async () => {
    await rejectsKind(decryptJwe(await good(), 'not it'), 'key');
  });

  it('a flipped ciphertext, tag, iv or header fails as corrupt', async () => {
    const jwe = await good();
    const flip = (bytes: Buffer) => {
      const copy = Buffer.from(bytes);
      copy[Math.floor(copy.length / 2)]! ^= 0x04;
      return copy;
    };
    await rejectsKind(decryptJwe(withPart(jwe, 3, flip), PASS), 'corrupt', /authentication/);
    await rejectsKind(decryptJwe(withPart(jwe, 4, flip), PASS), 'corrupt', /authentication/);
    await rejectsKind(decryptJwe(withPart(jwe, 2, flip), PASS), 'corrupt', /authentication/);
    const created = withPart(jwe, 0, (bytes) => Buffer.from(bytes.toString().replace('"created":"', '"created":"X')));
    await rejectsKind(decryptJwe(created, PASS), 'corrupt', /authentication/);
    await rejectsKind(decryptJwe(withPart(jwe, 1, flip), PASS), 'key');
  });

  it('rejects malformed serializations before any key derivation', async () => {
    const jwe = await good();
    const parts = jwe.split('.');
    const header = (json: unknown) => withPart(jwe, 0, () => Buffer.from(JSON.stringify(json)));
    const cases: Array<[string, RegExp]> = [
      ['', /5 dot-separated parts, found 1/],
      [parts.slice(0, 4).join('.'), /found 4/],
      [`${jwe}.x`, /found 6/],
      [jwe.slice(0, Math.floor(jwe.length / 2)), /parts|base64url|bytes/],
      [jwe.slice(0, -1), /tag|base64url/],
      [[parts[0], parts[1], parts[2], `${parts[3]}=`, parts[4]].join('.'), /ciphertext is not valid base64url/],
      [[parts[0], parts[1], parts[2], `${parts[3]}*`, parts[4]].join('.'), /ciphertext is not valid base64url/],
      [withPart(jwe, 0, () => Buffer.from('{"alg":')), /not JSON/],
      [withPart(jwe, 0, () => Buffer.from('[1]')), /not a JSON object/],
      [header({ alg: 'none', enc: 'A256GCM', p2c: 1, p2s: 'AAAAAAAAAAA' }), /unsupported alg "none"/],
      [header({ alg: 'dir', enc: 'A256GCM' }), /unsupported alg "dir"/],
      [header({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: 1, p2s: 'AA' }), /unsupported alg/],
      [header({ alg: 'PBES2-HS256+A128KW', enc: 'A128CBC-HS256', p2c: 1, p2s: 'AA' }), /unsupported enc/],
      [header({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', p2c: 1_300_001, p2s: 'AA' }), /exceeds the limit/],
      [header({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', p2c: 0, p2s: 'AA' }), /p2c/],
      [header({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', p2c: '8192', p2s: 'AA' }), /p2c/],
      [header({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', p2c: 8192 }), /p2s is missing/],
      [header({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', p2c: 8192, p2s: 'AA', zip: 'DEF' }), /zip/],
      [withPart(jwe, 1, (b) => b.subarray(0, 32)), /encrypted key is 32 bytes/],
      [withPart(jwe, 2, (b) => b.subarray(0, 8)), /iv is 8 bytes/],
    ];
    for (const [input, pattern] of cases) {
      const started = performance.now();
      await rejectsKind(decryptJwe(input, PASS), 'corrupt', pattern);
      assert.ok(performance.now() - started < 500, 'no expensive work on a rejected header');
    }
  });

  it('accepts p2c up to 1,300,000 and parses headers without a key', async () => {
    const jwe = await encryptJwe(enc.encode('{}'), PASS, { p2c: 1_300_000 });
    assert.equal(parseJweHeader(jwe).p2c, 1_300_000);
    assert.equal(new TextDecoder().decode((await decryptJwe(jwe, PASS)).plaintext), '{}');
    await assert.rejects(encryptJwe(enc.encode('{}'), PASS, { p2c: 1_300_001 }), RangeError);
  });

  it('formats created like Go time.String in UTC', () => {
    assert.equal(goTimeString(new Date(Date.UTC(2024, 10, 5, 6, 7, 8, 0))), '2024-11-05 06:07:08 +0000 UTC');
    assert.equal(goTimeString(new Date(Date.UTC(2024, 10, 5, 6, 7, 8, 5))), '2024-11-05 06:07:08.005 +0000 UTC');
  });
});
