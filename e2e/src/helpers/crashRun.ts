/**
 * kill -9 at chosen moments: runs the built `vault` in its own process group and SIGKILLs the whole
 * group (vault and any child it started, such as `pass` and `gpg`) after a delay from spawn, or a
 * delay after the first change in a watched directory. Used by the crash-safety tests.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { vaultBin } from './paths.js';

export interface KillPlan {
  /** SIGKILL this many ms after spawn (if the process still runs). */
  afterMs?: number;
  /** Watches this directory for the first change (timed in the result); with `afterChangeMs`, SIGKILL that many ms after it (`afterMs` still applies as a fallback). */
  watchDir?: string;
  afterChangeMs?: number;
}

export interface CrashRun {
  /** True when the process was killed; false when it ended on its own first. */
  killed: boolean;
  /** Milliseconds from spawn to the kill (or to the exit). */
  atMs: number;
  /** Milliseconds from spawn to the first change in `watchDir`, when one was seen. */
  firstChangeMs?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `vault args` and kills its process group as planned; resolves once it has exited. */
export function runAndKill(args: string[], env: Record<string, string>, plan: KillPlan, hardTimeoutMs = 30_000): Promise<CrashRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [vaultBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let killedAt = 0;
    let firstChangeMs: number | undefined;
    let watcher: FSWatcher | undefined;
    const timers: NodeJS.Timeout[] = [];
    const kill = () => {
      if (killed || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
        killed = true;
        killedAt = performance.now() - started;
      } catch {
        /* already gone */
      }
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    if (plan.watchDir !== undefined && existsSync(plan.watchDir)) {
      watcher = watch(plan.watchDir, () => {
        if (firstChangeMs !== undefined) return;
        firstChangeMs = performance.now() - started;
        const delay = plan.afterChangeMs;
        if (delay === undefined) return;
        if (delay <= 0) kill();
        else timers.push(setTimeout(kill, delay));
      });
    }
    if (plan.afterMs !== undefined) timers.push(setTimeout(kill, plan.afterMs));
    timers.push(setTimeout(kill, hardTimeoutMs));
    child.on('error', (error) => {
      for (const t of timers) clearTimeout(t);
      watcher?.close();
      reject(error);
    });
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      watcher?.close();
      const wasKilled = killed && signal === 'SIGKILL';
      resolve({
        killed: wasKilled,
        atMs: wasKilled ? killedAt : performance.now() - started,
        ...(firstChangeMs !== undefined ? { firstChangeMs } : {}),
        code,
        stdout,
        stderr,
      });
    });
  });
}

export interface Calibration {
  /** Median wall time of an uninterrupted run, ms. */
  durationMs: number;
  /** Median time from spawn to the first change in the watched directory, ms (undefined if none seen). */
  firstChangeMs: number | undefined;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/** Times `runs` uninterrupted runs (`prepare` runs before each, `check` after) to place the kills. */
export async function calibrate(
  runs: number,
  once: () => Promise<CrashRun>,
  hooks: { prepare?: () => Promise<void> | void; check?: (r: CrashRun) => Promise<void> | void } = {},
): Promise<Calibration> {
  const durations: number[] = [];
  const changes: number[] = [];
  for (let i = 0; i < runs; i++) {
    await hooks.prepare?.();
    const r = await once();
    if (r.killed || r.code !== 0) throw new Error(`calibration run failed (${r.killed ? 'killed' : `exit ${r.code}`}): ${r.stderr}`);
    await hooks.check?.(r);
    durations.push(r.atMs);
    if (r.firstChangeMs !== undefined) changes.push(r.firstChangeMs);
  }
  return { durationMs: median(durations), firstChangeMs: changes.length > 0 ? median(changes) : undefined };
}

/**
 * Where to kill the i-th run: alternately uniform over the whole run (start-up included, where a kill
 * must be harmless) and close to the first write seen in calibration, ± its jitter, where a torn
 * write would happen; every third write-phase kill is tied to the live change event instead.
 */
export function killPlan(i: number, calibration: Calibration, watchDir: string | undefined, random: () => number = Math.random): KillPlan {
  const { durationMs, firstChangeMs } = calibration;
  if (i % 2 === 0 || firstChangeMs === undefined) return { afterMs: random() * durationMs * 1.1 };
  if (i % 3 === 0 && watchDir !== undefined) return { watchDir, afterChangeMs: random() * 12, afterMs: durationMs * 3 };
  const from = Math.max(0, firstChangeMs - 25);
  return { afterMs: from + random() * (durationMs - from + 10) };
}

/** Names in a directory that a killed file-backend writer left behind (its temp files). */
export function leftoverTempFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith('.vault-tmp-')) : [];
}

/** A deterministic PRNG (mulberry32), so a failing run can be repeated with the seed it printed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
