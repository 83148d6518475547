/**
 * A stand-in for a prompt program (a dialog, ykman), for tests: a small /bin/sh script put first on
 * PATH that records how it was called and answers as told.
 * @module
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One call of a fake program. @public */
export interface FakeCall {
  /** Whether its stdin was a terminal. */
  stdinIsTerminal: boolean;
  /** Its arguments, after the program name. */
  argv: string[];
}

/** A fake program on disk; see `fakeProgram`. @public */
export interface FakeProgram {
  /** The directory holding the script, to put first on PATH. */
  dir: string;
  /** An environment whose PATH finds the fake first (then /usr/bin:/bin for `sleep`), with `extra` added. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Every call so far, in order. */
  calls(): FakeCall[];
  /** Removes the directory. */
  cleanup(): void;
}

/**
 * Writes a fake `name` into a new temporary directory: a /bin/sh script (POSIX only) that appends
 * its call to a log and then behaves as the environment it was started with says:
 * - `FAKE_STDERR`: printed on stderr first;
 * - `FAKE_SLEEP`: seconds to hang instead of answering (the process becomes `sleep`, so a kill ends it);
 * - `FAKE_ANSWER`: printed on stdout (the code the user "typed");
 * - `FAKE_EXIT`: exit status (default 0).
 *
 * `why` goes into a comment in the script, for whoever finds it. Call `cleanup` when done.
 *
 * @example
 * ```ts
 * const fake = fakeProgram('mydialog', 'CI has no display, so a script stands in for mydialog');
 * after(() => fake.cleanup());
 * const ctx = { env: fake.env({ FAKE_ANSWER: '123456' }), debug: () => {} };
 * assert.equal(await myPrompt('arn:aws:iam::123456789012:mfa/dev', ctx), '123456');
 * assert.equal(fake.calls().length, 1); // and fake.calls()[0].argv holds its arguments
 * ```
 * @public
 */
export function fakeProgram(name: string, why: string): FakeProgram {
  const dir = mkdtempSync(join(tmpdir(), `vault-fake-${name}-`));
  const log = join(dir, 'calls.log');
  const script = [
    '#!/bin/sh',
    `# Fake ${name}: ${why}`,
    '# Records: stdin-is-a-terminal flag, argument count, then each argument, all NUL-terminated.',
    'if [ -t 0 ]; then t=tty; else t=notty; fi',
    `printf '%s\\0' "$t" "$#" "$@" >> '${log}'`,
    'if [ -n "$FAKE_STDERR" ]; then printf \'%s\\n\' "$FAKE_STDERR" >&2; fi',
    'if [ -n "$FAKE_SLEEP" ]; then exec sleep "$FAKE_SLEEP"; fi',
    'if [ -n "$FAKE_ANSWER" ]; then printf \'%s\\n\' "$FAKE_ANSWER"; fi',
    'exit "${FAKE_EXIT:-0}"',
    '',
  ].join('\n');
  writeFileSync(join(dir, name), script);
  chmodSync(join(dir, name), 0o755);
  return {
    dir,
    env: (extra = {}) => ({ PATH: `${dir}:/usr/bin:/bin`, ...extra }),
    calls: () => {
      if (!existsSync(log)) return [];
      const fields = readFileSync(log, 'utf8').split('\0');
      const calls: FakeCall[] = [];
      let i = 0;
      while (i + 1 < fields.length) {
        const stdinIsTerminal = fields[i] === 'tty';
        const count = Number(fields[i + 1]);
        calls.push({ stdinIsTerminal, argv: fields.slice(i + 2, i + 2 + count) });
        i += 2 + count;
      }
      return calls;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
