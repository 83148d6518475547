/**
 * Running a program that asks for an MFA code and prints it on stdout: the dialog prompts (osascript,
 * zenity, kdialog) and ykman.
 *
 * Rules every such program follows:
 * - it is found on the PATH of the prompt's environment, and started directly with an argument
 *   vector (never through a shell), so whatever the MFA serial contains reaches it verbatim;
 * - the answer is stdout, trimmed; an empty answer is `MFA_CODE_EMPTY`;
 * - the wait is bounded: after `VAULT_PROMPT_TIMEOUT` (default 120 s) the program is closed
 *   (SIGTERM, then SIGKILL 2 s later, not waited for) and the result is `PROMPT_TIMEOUT`.
 *
 * `runDialogPrompt` adds the dialog rules (a non-zero exit, such as Cancel, Escape, a closed window
 * or no display, is `PROMPT_CANCELLED`); `runPromptProgram` is the runner underneath, for a prompt
 * that words its errors itself (ykman).
 *
 * node:child_process is loaded when a program is really started: the CLI's fast path bundles this
 * module and must not load it at start.
 * @module
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseGoDuration } from '../config/parseGoDuration.js';
import { VaultError } from '../errors.js';
import type { DebugLogger } from '../logger.js';
import { lastLine } from '../process/runCommand.js';

type Env = Readonly<Record<string, string | undefined>>;

/** How long a prompt program may run when nothing else is said. @public */
export const DEFAULT_PROMPT_TIMEOUT_MS = 120_000;

/** The variable that changes that limit: a Go duration (`90s`, `5m`) or a number of seconds. @public */
export const PROMPT_TIMEOUT_VARIABLE = 'VAULT_PROMPT_TIMEOUT';

/** How long to wait for a prompt program, from `VAULT_PROMPT_TIMEOUT` or the default; `ENV_INVALID` when it is not a positive duration. @public */
export function promptTimeoutMs(env: Env): number {
  const text = env[PROMPT_TIMEOUT_VARIABLE]?.trim();
  if (!text) return DEFAULT_PROMPT_TIMEOUT_MS;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseGoDuration(text);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new VaultError('ENV_INVALID', `environment variable ${PROMPT_TIMEOUT_VARIABLE}=${text} is not a positive duration`, {
      hint: 'use a duration such as 90s or 5m',
    });
  }
  return ms;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The full path of the executable `program` in the directories of `env.PATH`, or undefined when it is not there. @public */
export function findOnPath(program: string, env: Env): string | undefined {
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  const extensions = process.platform === 'win32' ? ['', ...(env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of dirs) {
    for (const extension of extensions) {
      const candidate = join(dir, program + extension);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Looks `program` up on the PATH of `env`; `PROMPT_UNAVAILABLE` naming the device when it is not there. @public */
export function requirePromptProgram(program: string, mfaSerial: string, env: Env): string {
  const file = findOnPath(program, env);
  if (file === undefined) {
    throw new VaultError('PROMPT_UNAVAILABLE', `cannot ask for the MFA code of ${mfaSerial}: ${program} is not on PATH`, {
      hint: `install ${program}, or use --mfa-token or another prompt (--prompt terminal|kdialog|osascript|ykman|zenity)`,
    });
  }
  return file;
}

/** A timeout as the prompts' messages word it: seconds to one decimal (`0.3s`, `120s`). @public */
export function formatPromptTimeout(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/** The errors a prompt program's run can end in, worded by the prompt. @public */
export interface PromptProgramErrors {
  /** No answer came within the timeout; the program is being closed. */
  timedOut(): VaultError;
  /** The program could not be started. */
  couldNotStart(error: Error): VaultError;
  /** It exited with status 0 but printed nothing but white space. */
  noAnswer(): VaultError;
  /** It exited with a non-zero status or was killed; `stderr` is everything it wrote there. */
  failed(exit: { code: number | null; signal: NodeJS.Signals | null; stderr: string }): VaultError;
}

/** One run of a prompt program that has been found already (see `requirePromptProgram`). @public */
export interface PromptProgramRun {
  /** The program's full path. */
  file: string;
  /** Arguments, passed as they are. */
  args: readonly string[];
  /** The child's environment (undefined values are left out). */
  env: Env;
  timeoutMs: number;
  /** A file descriptor for the child's stdin (a terminal); default none. */
  stdin?: number;
  /** Called with each chunk the program writes on stderr, as it comes (e.g. to show it). */
  onStderr?: (chunk: Buffer) => void;
  errors: PromptProgramErrors;
}

/**
 * Runs a prompt program and resolves what it printed on stdout, trimmed. Rejects with the error from
 * `run.errors` for a timeout (the program is then closed without waiting for it), a failure to
 * start, an empty answer or a non-zero exit.
 * @public
 */
export async function runPromptProgram(run: PromptProgramRun): Promise<string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(run.env)) if (value !== undefined) env[key] = value;
  // Loaded here: a bundle that includes this module (the CLI's fast path) must not load it at start.
  const { spawn } = await import('node:child_process');
  return new Promise<string>((resolve, reject) => {
    const child = spawn(run.file, [...run.args], { env, stdio: [run.stdin ?? 'ignore', 'pipe', 'pipe'], shell: false });
    // Both are pipes (see stdio above); the check only satisfies the types.
    const out = child.stdout;
    const err = child.stderr;
    if (!out || !err) throw new Error(`${run.file}: no output pipes`);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let settled = false;
    out.on('data', (chunk: Buffer) => stdout.push(chunk));
    err.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      run.onStderr?.(chunk);
    });
    const finish = (error: VaultError | undefined, code?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(code as string);
    };
    const timer = setTimeout(() => {
      // Close the program; do not wait for it (a stuck child must not hold vault up).
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
      out.destroy();
      err.destroy();
      finish(run.errors.timedOut());
    }, run.timeoutMs);
    child.on('error', (error) => finish(run.errors.couldNotStart(error)));
    child.on('close', (code, signal) => {
      if (code === 0) {
        const answer = Buffer.concat(stdout).toString('utf8').trim();
        if (answer === '') finish(run.errors.noAnswer());
        else finish(undefined, answer);
        return;
      }
      finish(run.errors.failed({ code, signal, stderr: Buffer.concat(stderr).toString('utf8') }));
    });
  });
}

/** How a dialog prompt may be tuned by a caller (the CLI passes none). @public */
export interface DialogPromptOptions {
  /** How long the dialog may stay open; default `VAULT_PROMPT_TIMEOUT`, else 120 s. */
  timeoutMs?: number;
}

/** One dialog to run. @public */
export interface DialogPromptCommand extends DialogPromptOptions {
  /** The program's name, looked up on PATH and used in messages (`zenity`). */
  program: string;
  /** Arguments, passed as they are. */
  args: readonly string[];
  /** The MFA device the code is for; every error names it. */
  mfaSerial: string;
  env: Env;
  debug: DebugLogger;
}

/**
 * Runs a dialog program and resolves the code it printed, trimmed. Rejects with `ENV_INVALID` for a
 * malformed `VAULT_PROMPT_TIMEOUT` (when `timeoutMs` is not given), `PROMPT_UNAVAILABLE`
 * when the program is missing or cannot start, `PROMPT_CANCELLED` on a non-zero exit (with the
 * program's last stderr line), `PROMPT_TIMEOUT` when no answer came in time (the dialog is then
 * closed) and `MFA_CODE_EMPTY` for an empty answer.
 * @public
 */
export async function runDialogPrompt(command: DialogPromptCommand): Promise<string> {
  const { program, mfaSerial } = command;
  const timeoutMs = command.timeoutMs ?? promptTimeoutMs(command.env);
  const file = requirePromptProgram(program, mfaSerial, command.env);
  command.debug(`asking for the MFA code of ${mfaSerial} with ${file} (timeout ${formatPromptTimeout(timeoutMs)})`);
  return runPromptProgram({
    file,
    args: command.args,
    env: command.env,
    timeoutMs,
    errors: {
      timedOut: () =>
        new VaultError('PROMPT_TIMEOUT', `no MFA code for ${mfaSerial} was entered in the ${program} dialog within ${formatPromptTimeout(timeoutMs)}`, {
          hint: `set ${PROMPT_TIMEOUT_VARIABLE} to wait longer, or pass --mfa-token`,
        }),
      couldNotStart: (error) =>
        new VaultError('PROMPT_UNAVAILABLE', `cannot ask for the MFA code of ${mfaSerial}: ${program} could not start: ${error.message}`, { cause: error }),
      noAnswer: () => new VaultError('MFA_CODE_EMPTY', `no MFA code entered for ${mfaSerial}`),
      failed: ({ code, signal, stderr }) => {
        command.debug(`${program} exited with ${signal ?? `status ${code}`}`);
        const detail = lastLine(stderr);
        return new VaultError('PROMPT_CANCELLED', `MFA code entry for ${mfaSerial} was cancelled in ${program}${detail ? ` (${detail})` : ''}`);
      },
    },
  });
}
