import { constants } from 'node:os';
import { VaultError } from '@awsvault/core';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/**
 * Runs the command with inherited stdio and resolves its exit code: the child's own, or 128+n when
 * a signal killed it (what a shell reports). Signals vault receives are passed on to the child, so
 * Ctrl-C reaches the command and not just vault.
 */
export async function runChild(command: string, args: string[], env: Record<string, string>): Promise<number> {
  // Loaded on use: the fast path of `vault export` shares this module and never spawns.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const cleanup = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      const why = error.code === 'ENOENT' ? 'command not found' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new VaultError('EXEC_FAILED', `cannot run ${command}: ${why}`, { exitCode: error.code === 'ENOENT' ? 127 : 126 }));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) resolve(128 + (constants.signals[signal] ?? 0));
      else resolve(code ?? 1);
    });
  });
}
