/**
 * Turns a `credential_process` (or `web_identity_token_process`) line into an argv, without a shell,
 * the way the AWS CLI v2 does: botocore splits the line with Python's `shlex.split` on POSIX systems
 * and with the Windows command-line rules on Windows, then starts the program directly.
 *
 * POSIX rules (`shlex.split`, POSIX mode, no comments):
 * - spaces, tabs and line breaks separate words;
 * - `'…'` keeps everything literally, including `\` and `"`;
 * - `"…"` keeps everything literally, except that `\"` and `\\` stand for `"` and `\`;
 * - outside quotes, `\` makes the next character literal;
 * - quoted and unquoted parts next to each other form one word (`a"b c"` is `ab c`), and `''` is an
 *   empty word;
 * - nothing else is special: `$VAR`, `~`, `*`, `;`, `|`, `&`, `>` and backquotes reach the program
 *   as they are written, so a value in the config can never run a second command.
 *
 * Windows rules (what `CommandLineToArgvW` and the C runtime do): spaces and tabs separate words,
 * `"` starts and ends quoting, `""` inside quotes is a literal `"`, and backslashes are literal
 * unless they come before a `"` (2n backslashes and `"`: n backslashes and a quote that toggles
 * quoting; 2n+1: n backslashes and a literal `"`). An unclosed quote runs to the end of the line.
 * @module
 */

/** Why a command line could not be split. */
export class CommandLineSyntaxError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CommandLineSyntaxError';
  }
}

/** Splits `line` into words (see the module notes); throws `CommandLineSyntaxError` on POSIX for an unclosed quote or a trailing `\`. */
export function splitCommandLine(line: string, platform: NodeJS.Platform = process.platform): string[] {
  return platform === 'win32' ? splitWindows(line) : splitPosix(line);
}

const POSIX_SPACE = new Set([' ', '\t', '\n', '\r']);

function splitPosix(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') {
        quote = undefined;
      } else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
        word += line[i + 1];
        i++;
      } else {
        word += c;
      }
    } else if (POSIX_SPACE.has(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new CommandLineSyntaxError('ends with a backslash that escapes nothing');
      word += line[i + 1];
      i++;
      inWord = true;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new CommandLineSyntaxError(`has a ${quote} quote that is never closed`);
  if (inWord) words.push(word);
  return words;
}

function splitWindows(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === '\\') {
      let slashes = 0;
      while (line[i] === '\\') {
        slashes++;
        i++;
      }
      if (line[i] === '"') {
        word += '\\'.repeat(Math.floor(slashes / 2));
        // An odd count escapes the quote; an even one leaves it to start or end quoting below.
        if (slashes % 2 === 1) {
          word += '"';
          i++;
        }
      } else {
        word += '\\'.repeat(slashes);
      }
      inWord = true;
    } else if (c === '"') {
      if (quoted && line[i + 1] === '"') {
        word += '"';
        i += 2;
      } else {
        quoted = !quoted;
        i++;
      }
      inWord = true;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
