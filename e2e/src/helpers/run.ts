import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { awsBin, vaultBin } from './paths.js';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program the way CI and `credential_process` do: no stdin, no controlling terminal
 * (a new session), output captured; killed after `timeoutMs`.
 */
export function run(command: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The built `vault` CLI. */
export function runVault(args: string[], env: Record<string, string>, timeoutMs?: number): Promise<RunResult> {
  return run(process.execPath, [vaultBin, ...args], env, timeoutMs);
}

/** Debian's AWS CLI v2 against the emulator (2.9 ignores AWS_ENDPOINT_URL, so the URL is passed). */
export function runAws(args: string[], env: Record<string, string>, endpointUrl: string): Promise<RunResult> {
  return run(awsBin, [...args, '--endpoint-url', endpointUrl, '--output', 'json'], env);
}

/** A shell-safe rendering of argv, for `credential_process` lines. */
export function shellQuote(args: string[]): string {
  return args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Exit 1, nothing on stdout, and exactly one `vault: error:` line matching `pattern`, last, without a stack trace. */
export function assertOneLineError(r: RunResult, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  const errors = lines.filter((line) => line.startsWith('vault: error:'));
  assert.equal(errors.length, 1, r.stderr);
  assert.equal(lines.at(-1), errors[0], 'the error is the last line');
  assert.match(errors[0] ?? '', pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}
