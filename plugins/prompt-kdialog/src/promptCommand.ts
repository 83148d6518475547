/**
 * Running a dialog program that asks for an MFA code and prints it on stdout.
 *
 * The same file sits in each of the dialog prompt plugins (osascript, zenity, kdialog, ykman), which
 * may depend on nothing but `@awsvault/core`; keep the copies identical.
 *
 * Rules every dialog follows:
 * - the program is started directly with an argument vector (never through a shell), so whatever
 *   the MFA serial contains reaches the dialog verbatim;
 * - the answer is stdout, trimmed;
 * - a non-zero exit (Cancel, Escape, the window closed, no display) is `PROMPT_CANCELLED`;
 * - the wait is bounded: after `VAULT_PROMPT_TIMEOUT` (default 120 s) the dialog is closed and the
 *   result is `PROMPT_TIMEOUT`.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseGoDuration, VaultError } from '@awsvault/core';
import type { DebugLogger } from '@awsvault/core';

type Env = Readonly<Record<string, string | undefined>>;

/** How long a dialog may stay open when nothing else is said. @public */
export const DEFAULT_PROMPT_TIMEOUT_MS = 120_000;

/** The variable that changes that limit: a Go duration (`90s`, `5m`) or a number of seconds. @public */
export const PROMPT_TIMEOUT_VARIABLE = 'VAULT_PROMPT_TIMEOUT';

/** How long to wait for a dialog, from `VAULT_PROMPT_TIMEOUT` or the default. */
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

/** The full path of `program` in the directories of `env.PATH`, or undefined when it is not there. */
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

/** Only the defined variables, as `spawn` wants them. */
export function childEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** The last non-blank line of a program's stderr, shortened, for one-line error messages. */
export function lastLine(text: string): string {
  const lines = text.split(/\r\n|\r|\n/).map((line) => line.trim()).filter((line) => line !== '');
  const last = lines.at(-1) ?? '';
  return last.length > 300 ? `${last.slice(0, 297)}...` : last;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/** One dialog to run. */
export interface DialogCommand {
  /** The program's name, for messages (`zenity`). */
  program: string;
  /** Arguments, passed as they are. */
  args: readonly string[];
  /** The MFA device the code is for; every error names it. */
  mfaSerial: string;
  env: Env;
  timeoutMs: number;
  debug: DebugLogger;
}

/** Looks `program` up on the PATH of `env`; `PROMPT_UNAVAILABLE` naming the device when it is not there. */
export function requireProgram(program: string, mfaSerial: string, env: Env): string {
  const file = findOnPath(program, env);
  if (file === undefined) {
    throw new VaultError('PROMPT_UNAVAILABLE', `cannot ask for the MFA code of ${mfaSerial}: ${program} is not on PATH`, {
      hint: `install ${program}, or use --mfa-token or another prompt (--prompt terminal|kdialog|osascript|ykman|zenity)`,
    });
  }
  return file;
}

/**
 * Runs the dialog and resolves the code it printed, trimmed. Rejects with `PROMPT_UNAVAILABLE` when
 * the program is missing or cannot start, `PROMPT_CANCELLED` on a non-zero exit, `PROMPT_TIMEOUT`
 * when no answer came in time (the dialog is then closed) and `MFA_CODE_EMPTY` for an empty answer.
 */
export async function runDialog(command: DialogCommand): Promise<string> {
  const file = requireProgram(command.program, command.mfaSerial, command.env);
  const { program, mfaSerial } = command;
  command.debug(`asking for the MFA code of ${mfaSerial} with ${file} (timeout ${seconds(command.timeoutMs)})`);
  // Loaded here: a bundle that includes this module (the CLI's fast path) must not load it at start.
  const { spawn } = await import('node:child_process');
  return new Promise<string>((resolve, reject) => {
    const child = spawn(file, [...command.args], { env: childEnv(command.env), stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    let stderr = '';
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const finish = (error: VaultError | undefined, code?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(code as string);
    };
    const timer = setTimeout(() => {
      // Close the dialog; do not wait for it (a stuck child must not hold vault up).
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
      child.stdout.destroy();
      child.stderr.destroy();
      finish(
        new VaultError('PROMPT_TIMEOUT', `no MFA code for ${mfaSerial} was entered in the ${program} dialog within ${seconds(command.timeoutMs)}`, {
          hint: `set ${PROMPT_TIMEOUT_VARIABLE} to wait longer, or pass --mfa-token`,
        }),
      );
    }, command.timeoutMs);
    child.on('error', (error) => {
      finish(new VaultError('PROMPT_UNAVAILABLE', `cannot ask for the MFA code of ${mfaSerial}: ${program} could not start: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      if (code === 0) {
        const answer = stdout.trim();
        if (answer === '') finish(new VaultError('MFA_CODE_EMPTY', `no MFA code entered for ${mfaSerial}`));
        else finish(undefined, answer);
        return;
      }
      command.debug(`${program} exited with ${signal ?? `status ${code}`}`);
      const detail = lastLine(stderr);
      finish(new VaultError('PROMPT_CANCELLED', `MFA code entry for ${mfaSerial} was cancelled in ${program}${detail ? ` (${detail})` : ''}`));
    });
  });
}
