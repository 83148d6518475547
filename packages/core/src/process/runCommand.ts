/**
 * Runs a command line from the AWS config (`credential_process`, `web_identity_token_process`) and
 * returns what it printed on stdout. Shared by the process and web-identity sources.
 *
 * - The line is split by `splitCommandLine` (the AWS CLI's rules) and the program is started
 *   directly, never through a shell.
 * - The child gets the given environment (the parent's), stdin from the controlling terminal
 *   (`/dev/tty`) when there is one and nothing otherwise; its stderr is passed through to ours as it
 *   arrives, and the last line is kept for the error message.
 * - It must finish within the timeout (`AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT`, a Go duration,
 *   default 60s, `0` for none) and print at most 1 MiB, or it is killed (SIGKILL).
 * - Every failure is a one-line `VaultError` naming the profile; stdout is never quoted in it.
 * @module
 */
import { closeSync, constants, openSync } from 'node:fs';
import { formatGoDuration, parseGoDuration } from '../config/parseGoDuration.js';
import { VaultError } from '../errors.js';
import { CommandLineSyntaxError, splitCommandLine } from './splitCommandLine.js';

/** The environment variable that bounds how long a configured command may run. */
export const COMMAND_TIMEOUT_ENV = 'AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT';
/** Used when the variable is unset or empty. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
/** A command printing more than this on stdout is stopped. */
export const MAX_COMMAND_OUTPUT_BYTES = 1024 * 1024;

/** Where output goes, as a stream-like sink (tests capture it). */
export interface OutputSink {
  write(chunk: Uint8Array | string): unknown;
}

/** How to run one configured command. */
export interface RunCommandOptions {
  /** The config key the line came from, for messages: `credential_process`. */
  what: string;
  /** Prefix of the error codes: `CREDENTIAL_PROCESS` gives `CREDENTIAL_PROCESS_FAILED`, etc. */
  codePrefix: string;
  profileName: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds; 0 for no limit. Default: from `env` (see `commandTimeoutMs`). */
  timeoutMs?: number;
  maxOutputBytes?: number;
  /** The terminal to give the child as stdin; `null` for none. Default `/dev/tty`. */
  ttyPath?: string | null;
  /** Where the child's stderr goes; default `process.stderr`. */
  stderr?: OutputSink;
  cwd?: string;
  platform?: NodeJS.Platform;
}

/** The timeout in milliseconds that `AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT` asks for; 0 means none. */
export function commandTimeoutMs(env: Readonly<Record<string, string | undefined>>): number {
  const text = env[COMMAND_TIMEOUT_ENV];
  if (text === undefined || text.trim() === '') return DEFAULT_COMMAND_TIMEOUT_MS;
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0) {
    throw new VaultError('ENV_INVALID', `environment variable ${COMMAND_TIMEOUT_ENV}=${text} is not a duration`, {
      hint: 'use a duration with a unit, such as 90s or 5m, or 0 for no limit',
    });
  }
  return Math.ceil(ms);
}

/** Splits the configured line into an argv, or throws the `<prefix>_EMPTY` / `<prefix>_SYNTAX` error. */
export function commandArgv(line: string, options: Pick<RunCommandOptions, 'what' | 'codePrefix' | 'profileName' | 'platform'>): string[] {
  const where = `profile ${options.profileName}: ${options.what}`;
  let argv: string[];
  try {
    argv = splitCommandLine(line, options.platform);
  } catch (error) {
    if (!(error instanceof CommandLineSyntaxError)) throw error;
    throw new VaultError(`${options.codePrefix}_SYNTAX`, `${where} ${error.reason}`, {
      hint: `${options.what} is split into words like a shell does, but without running one; quote words with spaces`,
    });
  }
  if (argv.length === 0 || argv[0] === '') {
    throw new VaultError(`${options.codePrefix}_EMPTY`, `${where} is empty`, { hint: `set ${options.what} to the command to run` });
  }
  return argv;
}

/** Runs the configured `line` and resolves its stdout (decoded as UTF-8), or rejects with a one-line `VaultError`. */
export async function runCommand(line: string, options: RunCommandOptions): Promise<string> {
  const argv = commandArgv(line, options);
  const timeoutMs = options.timeoutMs ?? commandTimeoutMs(options.env);
  const maxBytes = options.maxOutputBytes ?? MAX_COMMAND_OUTPUT_BYTES;
  const where = `profile ${options.profileName}: ${options.what}`;
  const code = (suffix: string) => `${options.codePrefix}_${suffix}`;
  const program = argv[0] as string;

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;

  // Loaded here: a cached `vault export` never spawns anything.
  const { spawn } = await import('node:child_process');
  const tty = openTerminal(options.ttyPath === undefined ? '/dev/tty' : options.ttyPath);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(program, argv.slice(1), {
      env,
      stdio: [tty ?? 'ignore', 'pipe', 'pipe'],
      windowsHide: true,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
  } catch (error) {
    throw startFailed(where, code('START_FAILED'), program, error);
  } finally {
    if (tty !== undefined) closeSync(tty);
  }
  const stderrSink = options.stderr ?? process.stderr;

  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let stderrTail = '';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: VaultError | undefined, stdout?: string) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (error) reject(error);
      else resolve(stdout ?? '');
    };
    const stop = () => {
      child.kill('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
    };

    child.stdout?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish(new VaultError(code('OUTPUT_TOO_LARGE'), `${where} printed more than ${formatBytes(maxBytes)} on stdout`, {
          hint: `${options.what} must print only the credentials document`,
        }));
        stop();
        return;
      }
      chunks.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrSink.write(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-8192);
    });
    child.on('error', (error) => {
      finish(startFailed(where, code('START_FAILED'), program, error));
      stop();
    });
    child.on('close', (exitCode, signal) => {
      if (exitCode === 0) {
        finish(undefined, Buffer.concat(chunks).toString('utf8'));
        return;
      }
      const last = lastLine(stderrTail);
      const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
      finish(new VaultError(code('FAILED'), `${where} ${how}${last ? `: ${last}` : ''}`, {
        ...(last ? {} : { hint: `run the ${options.what} command by hand to see why` }),
      }));
    });
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        finish(new VaultError(code('TIMEOUT'), `${where} did not finish within ${formatTimeout(timeoutMs)}`, {
          hint: `it was stopped; set ${COMMAND_TIMEOUT_ENV} (e.g. 5m) if it needs longer`,
        }));
        stop();
      }, timeoutMs);
    }
  });
}

/** Opens the terminal for the child's stdin, or undefined when there is none (CI, cron, a pipe). */
function openTerminal(path: string | null): number | undefined {
  if (path === null) return undefined;
  try {
    return openSync(path, constants.O_RDONLY | (constants.O_NOCTTY ?? 0));
  } catch {
    return undefined;
  }
}

function startFailed(where: string, errorCode: string, program: string, error: unknown): VaultError {
  const errno = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory, or not on PATH',
    EACCES: 'permission denied',
    ENOEXEC: 'not an executable',
    EISDIR: 'is a directory',
  };
  const reason = errno ? `${reasons[errno] ?? 'failed'} (${errno})` : firstLine(error);
  return new VaultError(errorCode, `${where} could not start ${program}: ${reason}`, {
    hint: 'the line is split like the AWS CLI does and run without a shell; use an absolute path, or `sh -c \'…\'` for shell syntax',
    cause: error,
  });
}

/** The last non-blank line of stderr, without terminal escapes, at most 200 characters. */
export function lastLine(text: string): string | undefined {
  const lines = text
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .split(/\r\n|\n|\r/)
    .map((line) => line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').trim())
    .filter((line) => line !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) return undefined;
  return last.length > 200 ? `${last.slice(0, 200)}…` : last;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function formatTimeout(ms: number): string {
  return ms % 1000 === 0 ? formatGoDuration(ms) : `${ms}ms`;
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
