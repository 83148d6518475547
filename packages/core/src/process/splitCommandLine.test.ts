import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandLineSyntaxError, splitCommandLine } from './splitCommandLine.js';

const posix = (line: string) => splitCommandLine(line, 'linux');
const windows = (line: string) => splitCommandLine(line, 'win32');

describe('splitCommandLine on POSIX (botocore: shlex.split)', () => {
  const cases: Array<[string, string[]]> = [
    ['/usr/local/bin/creds --profile dev', ['/usr/local/bin/creds', '--profile', 'dev']],
    ['  a \t b\n c  ', ['a', 'b', 'c']],
    ['"/opt/my tools/creds" --x', ['/opt/my tools/creds', '--x']],
    ["'/opt/my tools/creds' 'it''s'", ['/opt/my tools/creds', 'its']],
    ['/opt/my\\ tools/creds', ['/opt/my tools/creds']],
    ['a"b c"d', ['ab cd']],
    ["a '' b \"\"", ['a', '', 'b', '']],
    ['"say \\"hi\\" \\\\ \\n"', ['say "hi" \\ \\n']],
    ["'single \\ keeps \" all'", ['single \\ keeps " all']],
    ['\\$HOME \\\'q', ['$HOME', "'q"]],
    // No shell: these reach the program as written, one word each.
    ['creds $HOME ~ *.json ; rm -rf / | cat && `id` $(id) > out', ['creds', '$HOME', '~', '*.json', ';', 'rm', '-rf', '/', '|', 'cat', '&&', '`id`', '$(id)', '>', 'out']],
    ['creds #not-a-comment', ['creds', '#not-a-comment']],
    ['', []],
    ['   ', []],
  ];
  for (const [line, argv] of cases) {
    it(`${JSON.stringify(line)} → ${JSON.stringify(argv)}`, () => assert.deepEqual(posix(line), argv));
  }

  it('rejects an unclosed quote or a trailing backslash, saying which', () => {
    assert.throws(() => posix('creds "unclosed'), (e: unknown) => e instanceof CommandLineSyntaxError && /" quote that is never closed/.test(e.message));
    assert.throws(() => posix("creds 'unclosed"), (e: unknown) => e instanceof CommandLineSyntaxError && /' quote/.test(e.message));
    assert.throws(() => posix('creds \\'), (e: unknown) => e instanceof CommandLineSyntaxError && /backslash/.test(e.message));
  });
});

describe('splitCommandLine on Windows (CommandLineToArgvW rules)', () => {
  const cases: Array<[string, string[]]> = [
    ['"C:\\Program Files\\creds.exe" --profile dev', ['C:\\Program Files\\creds.exe', '--profile', 'dev']],
    ['C:\\tools\\creds.exe a\\\\b', ['C:\\tools\\creds.exe', 'a\\\\b']],
    ['a\\"b', ['a"b']],
    ['a\\\\"b c"', ['a\\b c']],
    ['a\\\\\\"b', ['a\\"b']],
    ['"a ""quoted"" word"', ['a "quoted" word']],
    ["'single' quotes", ["'single'", 'quotes']],
    ['"unclosed runs to the end', ['unclosed runs to the end']],
    ['a "" b', ['a', '', 'b']],
  ];
  for (const [line, argv] of cases) {
    it(`${JSON.stringify(line)} → ${JSON.stringify(argv)}`, () => assert.deepEqual(windows(line), argv));
  }
});
