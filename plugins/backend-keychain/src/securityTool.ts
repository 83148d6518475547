/**
 * Every `security` command the keychain backend runs, and the one function that starts the tool.
 *
 * Facts about `/usr/bin/security` this module is built on (Apple's SecurityTool sources, macOS 10.15
 * and later):
 *
 * - `add-generic-password -w <password>` takes the data from argv, which every user can read with
 *   `ps`. Given as the last option without a value, `-w` asks twice with getpass(3) on the terminal
 *   (at most 128 characters, no terminal under `credential_process`), so it cannot carry a session.
 *   Instead the backend runs `security -i`, which reads commands from standard input, one per line,
 *   and writes the `add-generic-password` line there. Data travels as `-w "<quoted>"` (raw bytes,
 *   quotes and backslashes escaped) or, when it holds a NUL or newline byte, as `-X <hex>`.
 * - Interactive mode reads a line into a 4096-byte buffer: at most 4094 bytes before the newline are
 *   read as one command, and whatever does not fit is run as the next command. So no line longer
 *   than `MAX_COMMAND_LINE_BYTES` is ever written; larger items are refused before the tool runs.
 * - A line is split on blanks; `"…"` and `'…'` group, and a backslash escapes the next byte, also
 *   inside quotes. At most 32 arguments per line.
 * - The exit status of `security -i` is the result of its last command, as with a single command.
 * - `-U` updates the item whose service and account match (its access list is kept); without `-U`
 *   an existing item is `errSecDuplicateItem`. `-T ""` gives the new item an empty list of trusted
 *   applications, so macOS asks before every read (aws-vault's `KeychainNotTrustApplication`).
 * - `find-generic-password -g` prints the attributes on stdout and `password: <data>` on stderr,
 *   the data in the unambiguous `0x<HEX>  "<text>"` form when a byte is not printable ASCII. (`-w`
 *   prints printable data raw and anything else as bare hex, so `"0a"` and a newline print alike.)
 * - A keychain named by path that cannot be opened makes the tool search the default keychain list
 *   instead; the backend therefore checks that the keychain file exists and that every item printed
 *   comes from it.
 */
import { spawn } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import type { KeychainOs, SecurityRun } from './keychainOs.js';

/** The tool, by absolute path (never looked up on PATH). @public */
export const SECURITY_TOOL = '/usr/bin/security';
/** The service attribute of every item, as aws-vault's keyring sets it (the default of `VAULT_KEYRING_SERVICE`). @public */
export const KEYCHAIN_SERVICE = 'aws-vault';
/** Longest command line `security -i` reads as one command (its buffer is 4096 bytes). @public */
export const MAX_COMMAND_LINE_BYTES = 4094;
/** Most arguments `security -i` splits a line into. @public */
export const MAX_COMMAND_ARGS = 32;
/** Default limit on one run of the tool: long enough for a person to answer a keychain dialog. @public */
export const DEFAULT_SECURITY_TIMEOUT_MS = 120_000;

const NUL = 0x00;
const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** `find-generic-password` for one account of the service; `-g` also prints the data (on stderr). @public */
export function findPasswordArgs(keychain: string, account: string, withData: boolean, service: string = KEYCHAIN_SERVICE): string[] {
  return ['find-generic-password', '-s', service, '-a', account, ...(withData ? ['-g'] : []), keychain];
}

/** `delete-generic-password` for one account of the service. @public */
export function deletePasswordArgs(keychain: string, account: string, service: string = KEYCHAIN_SERVICE): string[] {
  return ['delete-generic-password', '-s', service, '-a', account, keychain];
}

/** `dump-keychain`: the attributes of every item, no data (no `-d`), so nothing is decrypted. @public */
export function dumpKeychainArgs(keychain: string): string[] {
  return ['dump-keychain', keychain];
}

/** `unlock-keychain` without `-p`: the tool asks for the keychain password on the terminal itself. @public */
export function unlockKeychainArgs(keychain: string): string[] {
  return ['unlock-keychain', keychain];
}

/** `create-keychain -P`: macOS asks for the new keychain's password in its own dialog. @public */
export function createKeychainArgs(keychain: string): string[] {
  return ['create-keychain', '-P', keychain];
}

/** One `add-generic-password` for `security -i`. @public */
export interface AddPasswordCommand {
  keychain: string;
  /** The service attribute; default aws-vault's. */
  service?: string;
  account: string;
  label: string;
  /** The item's description, which the keychain calls "kind". */
  kind: string;
  data: Uint8Array;
  /** `-U`: update the existing item (and keep its access list) instead of failing on a duplicate. */
  update: boolean;
  /** `-T ""`: trust no application, so macOS asks before every read. Only for new items. */
  untrusted: boolean;
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** True when `bytes` can be written inside a quoted argument of an interactive command line. @public */
export function isLineSafe(bytes: Uint8Array): boolean {
  return !bytes.includes(NUL) && !bytes.includes(LF);
}

/**
 * One argument for `security -i`: in double quotes, each `"` and `\` preceded by a backslash, every
 * other byte as is. Throws on NUL or newline, which no line can carry.
 * @public
 */
export function quoteArgument(value: string | Uint8Array): Buffer {
  const bytes = typeof value === 'string' ? utf8(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (!isLineSafe(bytes)) throw new Error('an interactive security argument cannot contain NUL or newline bytes');
  let escapes = 0;
  for (const byte of bytes) if (byte === QUOTE || byte === BACKSLASH) escapes++;
  const out = Buffer.allocUnsafe(bytes.length + escapes + 2);
  let at = 0;
  out[at++] = QUOTE;
  for (const byte of bytes) {
    if (byte === QUOTE || byte === BACKSLASH) out[at++] = BACKSLASH;
    out[at++] = byte;
  }
  out[at++] = QUOTE;
  return out;
}

/**
 * The `add-generic-password` line for `security -i` (no trailing newline). Data goes as `-w "…"`
 * unless it holds a NUL or newline byte, then as `-X <hex>` (twice as long).
 * @public
 */
export function addPasswordLine(command: AddPasswordCommand): Buffer {
  const parts: Buffer[] = [utf8('add-generic-password')];
  if (command.update) parts.push(utf8('-U'));
  parts.push(utf8('-s'), quoteArgument(command.service ?? KEYCHAIN_SERVICE), utf8('-a'), quoteArgument(command.account));
  parts.push(utf8('-l'), quoteArgument(command.label), utf8('-D'), quoteArgument(command.kind));
  if (command.untrusted && !command.update) parts.push(utf8('-T'), quoteArgument(''));
  if (isLineSafe(command.data)) parts.push(utf8('-w'), quoteArgument(command.data));
  else parts.push(utf8('-X'), utf8(Buffer.from(command.data).toString('hex')));
  parts.push(quoteArgument(command.keychain));
  const line: Buffer[] = [];
  parts.forEach((part, index) => {
    if (index > 0) line.push(utf8(' '));
    line.push(part);
  });
  return Buffer.concat(line);
}

/** Settings of the real tool. @public */
export interface SystemKeychainOsOptions {
  /** The tool; default `/usr/bin/security`. */
  executable?: string;
  /** Environment of the tool; default this process's. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Limit on one run; default {@link DEFAULT_SECURITY_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** After SIGTERM, how long to wait before SIGKILL. */
  killGraceMs?: number;
}

/** Output kept per stream; `dump-keychain` of a few thousand items stays far below it. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Starts the tool and collects its output. The child keeps vault's controlling terminal (so
 * `unlock-keychain` can ask there) and its GUI session (so macOS can show keychain dialogs);
 * standard input is `input` or nothing.
 */
function runTool(executable: string, args: readonly string[], input: Buffer | undefined, options: SystemKeychainOsOptions): Promise<SecurityRun> {
  return new Promise<SecurityRun>((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.env ?? process.env)) if (value !== undefined) env[name] = value;
    const child = spawn(executable, [...args], { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let timedOut = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killGraceMs ?? 2000);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs ?? DEFAULT_SECURITY_TIMEOUT_MS);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_OUTPUT_BYTES) {
        if (!timedOut) stop();
        return;
      }
      into.push(chunk);
    };
    child.stdout?.on('data', collect(stdout));
    child.stderr?.on('data', collect(stderr));
    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      resolvePromise({
        status: code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
    if (input !== undefined && child.stdin) {
      // The tool may exit before reading everything (a usage error): its status says why.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

/**
 * The real OS layer: runs `/usr/bin/security` (macOS only). This is the only code of the backend
 * that starts a process.
 * @public
 */
export function systemKeychainOs(options: SystemKeychainOsOptions = {}): KeychainOs {
  const executable = options.executable ?? SECURITY_TOOL;
  return {
    run: (args) => runTool(executable, args, undefined, options),
    runInteractive: (line) => {
      const bytes = Buffer.from(line.buffer, line.byteOffset, line.byteLength);
      if (bytes.length > MAX_COMMAND_LINE_BYTES || !isLineSafe(bytes)) {
        // The caller checks this; writing such a line would run its tail as a second command.
        return Promise.reject(new Error(`refusing to write a ${bytes.length}-byte command line to security -i`));
      }
      return runTool(executable, ['-i'], Buffer.concat([bytes, Buffer.from('\n')]), options);
    },
    realPath: async (path) => {
      try {
        return await realpath(path);
      } catch {
        return undefined;
      }
    },
  };
}
