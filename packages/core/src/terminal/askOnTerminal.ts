/**
 * Questions asked on the controlling terminal.
 *
 * vault is often run where its standard streams are not the user's terminal: as a `credential_process`
 * (stdout is a pipe read by the AWS SDK, stdin may be closed) or inside `$(vault export)` (stdout is
 * captured by the shell). Prompts therefore never touch stdin/stdout; they open the terminal device
 * itself, write the question there and read the answer from it.
 *
 * The line is read in raw mode in both the echoed and the secret case, so that Ctrl-C and Ctrl-D
 * reach us as bytes (a cancelled prompt instead of a SIGINT that would also hit the AWS CLI sharing
 * the process group) and so that the mode can be restored on every path.
 *
 * Windows: there is no `/dev/tty`; the console devices `\\.\CONIN$` and `\\.\CONOUT$` are opened
 * instead. That path follows the same code but has not been exercised on a Windows console; if the
 * console cannot be opened or put into raw mode the result is `NO_TERMINAL`, as on a Unix machine
 * without a controlling terminal.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type ttyModule from 'node:tty';
import { VaultError } from '../errors.js';

/** How `askOnTerminal` asks. @public */
export interface AskOnTerminalOptions {
  /** Do not echo what is typed (passwords, secret keys). Default: the answer is echoed. */
  secret?: boolean;
  /** Terminal device to use instead of the controlling terminal (`/dev/tty`). */
  ttyPath?: string;
}

const isWindows = process.platform === 'win32';
// node:tty is loaded on first use: `vault export` from a cached session never touches a terminal.
const requireBuiltin = createRequire(import.meta.url);
let ttyLoaded: typeof ttyModule | undefined;
const tty = (): typeof ttyModule => (ttyLoaded ??= requireBuiltin('node:tty') as typeof ttyModule);

// O_NOCTTY: opening an explicit `ttyPath` must never make it our controlling terminal.
const noCtty = fs.constants.O_NOCTTY ?? 0;
const READ_FLAGS = fs.constants.O_RDONLY | noCtty;
// Numeric flags on purpose: the string flag 'w' would add O_CREAT and create a file at a bad ttyPath.
const WRITE_FLAGS = fs.constants.O_WRONLY | noCtty;

function terminalDevices(ttyPath: string | undefined): { input: string; output: string } {
  if (ttyPath !== undefined) return { input: ttyPath, output: ttyPath };
  if (isWindows) return { input: '\\\\.\\CONIN$', output: '\\\\.\\CONOUT$' };
  return { input: '/dev/tty', output: '/dev/tty' };
}

/** "Enter MFA code for X: " becomes "Enter MFA code for X", for error messages. */
function describeQuestion(message: string): string {
  return message.trim().replace(/:$/, '').trimEnd();
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed, or the device vanished: nothing left to release
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}

/**
 * Whether a terminal to ask on is present: `/dev/tty` (or `options.ttyPath`) can be opened and is a
 * terminal.
 * Cheap: one open and close, no mode change.
 * @public
 */
export function hasTerminal(options: { ttyPath?: string } = {}): boolean {
  const { input } = terminalDevices(options.ttyPath);
  let fd: number | undefined;
  try {
    fd = fs.openSync(input, READ_FLAGS);
    return tty().isatty(fd);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

interface OpenTerminal {
  /** Owns the read descriptor: destroying it closes that descriptor. */
  input: ttyModule.ReadStream;
  /** A separate, blocking descriptor for output, closed by us. */
  outputFd: number;
}

function openTerminal(ttyPath: string | undefined, question: string): OpenTerminal {
  const { input, output } = terminalDevices(ttyPath);
  let inputFd: number | undefined;
  let outputFd: number | undefined;
  try {
    inputFd = fs.openSync(input, READ_FLAGS);
    if (!tty().isatty(inputFd)) throw new Error(`${input} is not a terminal`);
    outputFd = fs.openSync(output, WRITE_FLAGS);
    const stream = new (tty().ReadStream)(inputFd);
    return { input: stream, outputFd };
  } catch (error) {
    if (outputFd !== undefined) closeQuietly(outputFd);
    if (inputFd !== undefined) closeQuietly(inputFd);
    throw new VaultError('NO_TERMINAL', `no terminal to ask on: ${question}`, { cause: error });
  }
}

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);
const CTRL_U = '\u0015';
const ESC = '\u001b';

/**
 * Writes `message` to the controlling terminal and reads one line from it, without using
 * stdin/stdout. Resolves the answer with surrounding whitespace removed.
 *
 * Editing: Backspace deletes a character, Ctrl-U the whole line; arrow keys and other escape
 * sequences are ignored; Enter ends the line.
 *
 * Rejects with a `VaultError`:
 * - `NO_TERMINAL` when there is no terminal to ask on (message `no terminal to ask on: <question>`);
 * - `PROMPT_CANCELLED` on Ctrl-C, Ctrl-D, or when the terminal goes away while reading.
 *
 * The terminal mode is restored and both descriptors are closed on every path; nothing is left
 * holding the event loop open.
 * @public
 */
export async function askOnTerminal(message: string, options: AskOnTerminalOptions = {}): Promise<string> {
  const question = describeQuestion(message);
  const secret = options.secret === true;
  const { input, outputFd } = openTerminal(options.ttyPath, question);

  return new Promise<string>((resolve, reject) => {
    const typed: string[] = [];
    let escape: 'none' | 'esc' | 'csi' | 'ss3' = 'none';
    let rawMode = false;
    let settled = false;

    const restoreMode = (): void => {
      if (!rawMode) return;
      try {
        input.setRawMode(false);
      } catch {
        // the terminal is gone; there is no mode left to restore
      }
      rawMode = false;
    };

    const finish = (outcome: { answer: string } | { error: VaultError }, trailer: string): void => {
      if (settled) return;
      settled = true;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('close', onEnd);
      input.removeListener('error', onError);
      process.removeListener('exit', restoreMode);
      if (trailer !== '') {
        try {
          writeAll(outputFd, trailer);
        } catch {
          // output failed (terminal hung up); the outcome stands
        }
      }
      restoreMode();
      // An 'error' may still be emitted while the handle shuts down; it must not become uncaught.
      input.on('error', () => {});
      input.pause();
      input.destroy();
      closeQuietly(outputFd);
      if ('answer' in outcome) resolve(outcome.answer);
      else reject(outcome.error);
    };

    const cancel = (why: string, cause?: unknown): void => {
      const error = new VaultError(
        'PROMPT_CANCELLED',
        `${why}: ${question}`,
        cause === undefined ? {} : { cause },
      );
      finish({ error }, why === 'prompt cancelled' ? '\r\n' : '');
    };

    function onData(chunk: string): void {
      let echo = '';
      for (const ch of chunk) {
        if (settled) return;
        if (escape === 'esc') {
          escape = ch === '[' ? 'csi' : ch === 'O' ? 'ss3' : 'none';
          continue;
        }
        if (escape === 'csi') {
          // parameter and intermediate bytes continue the sequence; a final byte ends it
          const code = ch.codePointAt(0) ?? 0;
          if (code >= 0x40 && code <= 0x7e) escape = 'none';
          continue;
        }
        if (escape === 'ss3') {
          escape = 'none';
          continue;
        }
        if (ENTER.has(ch)) {
          flushEcho(echo);
          finish({ answer: typed.join('').trim() }, '\r\n');
          return;
        }
        if (ch === CTRL_C || ch === CTRL_D) {
          flushEcho(echo);
          cancel('prompt cancelled');
          return;
        }
        if (BACKSPACE.has(ch)) {
          if (typed.pop() !== undefined && !secret) echo += '\b \b';
          continue;
        }
        if (ch === CTRL_U) {
          if (!secret) echo += '\b \b'.repeat(typed.length);
          typed.length = 0;
          continue;
        }
        if (ch === ESC) {
          escape = 'esc';
          continue;
        }
        const code = ch.codePointAt(0) ?? 0;
        if (code < 0x20 || (code >= 0x7f && code < 0xa0)) continue; // other control characters
        typed.push(ch);
        if (!secret) echo += ch;
      }
      flushEcho(echo);
    }

    const flushEcho = (echo: string): void => {
      if (echo === '') return;
      try {
        writeAll(outputFd, echo);
      } catch (error) {
        cancel('terminal closed while asking', error);
      }
    };

    function onEnd(): void {
      cancel('terminal closed while asking');
    }

    function onError(error: unknown): void {
      // EIO on a hung-up terminal lands here: the user can no longer answer
      cancel('terminal closed while asking', error);
    }

    input.on('error', onError);
    try {
      input.setRawMode(true);
      rawMode = true;
      process.once('exit', restoreMode);
      // raw mode first, then the question: keys typed after it appears are never echoed by the kernel
      writeAll(outputFd, message);
    } catch (error) {
      finish({ error: new VaultError('NO_TERMINAL', `no terminal to ask on: ${question}`, { cause: error }) }, '');
      return;
    }
    input.setEncoding('utf8');
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('close', onEnd);
    input.resume();
  });
}
