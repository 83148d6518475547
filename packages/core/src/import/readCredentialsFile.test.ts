import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fakeAccessKeyId } from '../testing/fakeAccessKeyId.js';
import { parseCredentialsText, readCredentialsFile } from './readCredentialsFile.js';

const dev = fakeAccessKeyId('dev');
const ci = fakeAccessKeyId('ci');

describe('parseCredentialsText', () => {
  it('sorts sections into long-term keys, temporary credentials and incomplete ones, in file order', () => {
    const text = [
      '# comment',
      '[dev]',
      `aws_access_key_id = ${dev}`,
      'aws_secret_access_key = "dev secret"',
      '[temp]',
      `aws_access_key_id = ${fakeAccessKeyId('temp')}`,
      'aws_secret_access_key = t',
      'aws_session_token = tok',
      '[half]',
      `aws_access_key_id = ${fakeAccessKeyId('half')}`,
      '[region-only]',
      'region = eu-west-1',
      '[ci]',
      `AWS_ACCESS_KEY_ID : ${ci}`,
      'aws_secret_access_key=ci-secret',
    ].join('\n');
    const out = parseCredentialsText(text, '/x/credentials');
    assert.deepEqual(out.keys, [
      { profile: 'dev', credentials: { accessKeyId: dev, secretAccessKey: 'dev secret' } },
      { profile: 'ci', credentials: { accessKeyId: ci, secretAccessKey: 'ci-secret' } },
    ]);
    assert.deepEqual(out.temporary, ['temp']);
    assert.deepEqual(out.incomplete, ['half']);
    assert.equal(out.text, text);
  });

  it('a syntax error names the file and line', () => {
    assert.throws(() => parseCredentialsText('[dev]\nnot a key line\n', '/x/credentials'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CONFIG_SYNTAX');
      assert.match(error.message, /^\/x\/credentials:2: /);
      return true;
    });
  });
});

describe('readCredentialsFile', () => {
  it('reads the file; a missing one is an error naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-import-'));
    try {
      const path = join(dir, 'credentials');
      assert.throws(() => readCredentialsFile(path), { code: 'IMPORT_SOURCE_MISSING', message: `${path} does not exist` });
      writeFileSync(path, `[dev]\naws_access_key_id=${dev}\naws_secret_access_key=s\n`);
      assert.equal(readCredentialsFile(path).keys[0]?.profile, 'dev');
      mkdirSync(join(dir, 'adir'));
      assert.throws(() => readCredentialsFile(join(dir, 'adir')), { code: 'IMPORT_SOURCE_UNREADABLE' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
