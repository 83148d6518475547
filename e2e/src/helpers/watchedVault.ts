/**
 * The built `vault`, started like `run` starts it (no stdin, no terminal, own process group), with
 * its stderr watched while it runs, so a test can act on what it prints (an SSO confirmation code).
 */
import { spawn } from 'node:child_process';
import type { RunResult } from './run.js';
import { vaultBin } from './paths.js';

export interface WatchedVault {
  /** Resolves with the first match of `pattern` on stderr; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<RunResult>;
}

export function startWatchedVault(args: string[], env: Record<string, string>, timeoutMs = 60_000): WatchedVault {
  const child = spawn(process.execPath, [vaultBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }> = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(stderr);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  const timer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      /* gone */
    }
  }, timeoutMs);
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`vault exited (${code ?? signal}) before printing ${waiter.pattern}; stderr:\n${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
    done,
  };
}
