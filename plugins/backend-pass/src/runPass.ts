/**
 * Runs one pass command: no terminal (own session, stdin a pipe or /dev/null), secrets only on
 * stdin, output collected, and a time limit after which the whole process group (pass and the gpg
 * it started) is stopped.
 */
import { spawn } from 'node:child_process';

/** How a pass call ended. stdout may hold a secret: never log it. @public */
export interface PassRun {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** The end of stderr (at most {@link STDERR_LIMIT} characters). */
  stderr: string;
  /** True when the time limit stopped it. */
  timedOut: boolean;
}

/** @public */
export interface RunPassOptions {
  env: Record<string, string>;
  /** Bytes for stdin; without them stdin is /dev/null. */
  input?: Uint8Array;
  timeoutMs: number;
  /** After SIGTERM, how long to wait before SIGKILL. */
  killGraceMs?: number;
}

/** Characters of stderr kept (the tail: gpg's reason is at the end). @public */
export const STDERR_LIMIT = 8192;

/** Process groups started here and still running; stopped if vault exits first. */
const running = new Set<number>();
let exitHookInstalled = false;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of running) signalGroup(pid, 'SIGTERM');
  });
}

/**
 * Starts `executable args…` in a new session and resolves when it has exited (or was stopped by
 * the time limit). Rejects only when it cannot be started at all.
 * @public
 */
export function runPass(executable: string, args: readonly string[], options: RunPassOptions): Promise<PassRun> {
  return new Promise<PassRun>((resolvePromise, reject) => {
    const child = spawn(executable, args, {
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // setsid(): no controlling terminal, and one process group to stop on timeout.
      detached: true,
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let abandonTimer: NodeJS.Timeout | undefined;

    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(abandonTimer);
      if (child.pid !== undefined) running.delete(child.pid);
      resolvePromise({ code, signal, stdout: Buffer.concat(stdout), stderr, timedOut });
    };

    const timer = setTimeout(() => {
      timedOut = true;
      const pid = child.pid;
      if (pid === undefined) return;
      signalGroup(pid, 'SIGTERM');
      const grace = options.killGraceMs ?? 2000;
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), grace);
      // A grandchild outside the group could keep the pipes open: do not wait for it forever.
      abandonTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(child.exitCode, child.signalCode);
      }, grace * 2);
    }, options.timeoutMs);

    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
    if (child.pid !== undefined) {
      running.add(child.pid);
      installExitHook();
    }
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_LIMIT);
    });
    child.on('close', (code, signal) => finish(code, signal));

    if (options.input !== undefined && child.stdin) {
      // pass may exit before reading everything (e.g. no .gpg-id): its exit status tells why.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}

/** The last non-empty line of pass's stderr, trimmed, or undefined. @public */
export function lastStderrLine(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  return lines.at(-1);
}
