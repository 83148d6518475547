import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeAccessKeyId } from '../testing/fakeAccessKeyId.js';
import { removeKeyLines } from './removeKeyLines.js';

const id = fakeAccessKeyId;

describe('removeKeyLines', () => {
  it('removes only the key lines of the named sections, and a section left without keys', () => {
    const text = [
      '# header comment',
      '[default]',
      'region = eu-west-1 ; keep me',
      `aws_access_key_id = ${id('default')}`,
      '  ; an indented comment',
      'aws_secret_access_key = s1',
      '',
      '# about dev',
      '[dev]',
      `Aws_Access_Key_Id=${id('dev')}`,
      'aws_secret_access_key=s2',
      '',
      '[other]',
      `aws_access_key_id = ${id('other')}`,
      'aws_secret_access_key = s3',
      '',
    ].join('\n');
    const out = removeKeyLines(text, ['default', 'dev'], '/c');
    assert.equal(
      out,
      ['# header comment', '[default]', 'region = eu-west-1 ; keep me', '  ; an indented comment', '', '# about dev', '', '[other]', `aws_access_key_id = ${id('other')}`, 'aws_secret_access_key = s3', ''].join('\n'),
    );
  });

  it('keeps CRLF line ends, a BOM, a missing final newline and continuation lines', () => {
    const text = `\uFEFF[a]\r\naws_access_key_id = ${id('a')}\r\naws_secret_access_key = part\\\r\n  two\r\noutput = json\r\n[b]\r\nx = 1`;
    assert.equal(removeKeyLines(text, ['a'], '/c'), '\uFEFF[a]\r\noutput = json\r\n[b]\r\nx = 1');
  });

  it('handles a section repeated in the file, each block on its own', () => {
    const text = `[a]\naws_access_key_id = ${id('a')}\n[b]\nx = 1\n[a]\naws_secret_access_key = s\nregion = r\n`;
    assert.equal(removeKeyLines(text, ['a'], '/c'), '[b]\nx = 1\n[a]\nregion = r\n');
  });

  it('leaves nested values (an indented block under an empty value) alone', () => {
    const text = `[a]\ns3 =\n  max_concurrent_requests = 2\naws_access_key_id = ${id('a')}\naws_secret_access_key = s\n`;
    assert.equal(removeKeyLines(text, ['a'], '/c'), '[a]\ns3 =\n  max_concurrent_requests = 2\n');
  });

  it('returns the text unchanged when no named section has keys', () => {
    const text = '[a]\nregion = r\n';
    assert.equal(removeKeyLines(text, ['zzz'], '/c'), text);
  });
});
