import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homeDirectory, VaultError } from '@awsvault/core';

type Env = Readonly<Record<string, string | undefined>>;

/** What a running `vault serve` publishes about itself (shared contract with `exec --attach` and export). */
export interface DaemonState {
  /** `http(s)://127.0.0.1:PORT` (or the `--bind` address): where clients on this machine reach it. */
  url: string;
  /** The Authorization token every request carries. */
  token: string;
  pid: number;
  tls: boolean;
  /** With `--docker`: the URL containers use (`http(s)://host.docker.internal:PORT`). */
  dockerUrl?: string;
  /** With `--imds-port`: the EC2 metadata endpoint (`http://127.0.0.1:PORT`). */
  imdsUrl?: string;
}

/** `$XDG_RUNTIME_DIR/vault/serve.json`, or `~/.awsvault/serve.json` without XDG_RUNTIME_DIR. */
export function daemonStatePath(env: Env): string {
  const runtime = env['XDG_RUNTIME_DIR'];
  return runtime ? join(runtime, 'vault', 'serve.json') : join(homeDirectory(env), '.awsvault', 'serve.json');
}

/** The running daemon's state, or undefined when there is no state file, it is unreadable, or its process is gone. */
export async function readDaemonState(env: Env): Promise<DaemonState | undefined> {
  const state = readStateFile(daemonStatePath(env));
  return state && processAlive(state.pid) ? state : undefined;
}

/** The variables that point an SDK at the daemon for one profile. */
export function daemonEnvFor(state: DaemonState, profileName: string): Record<string, string> {
  return {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${state.url}/profile/${encodeURIComponent(profileName)}`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: state.token,
  };
}

/** The state file's content when it is well-formed, else undefined. */
export function readStateFile(path: string): DaemonState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const v = value as Partial<DaemonState> | null;
  if (!v || typeof v.url !== 'string' || typeof v.token !== 'string' || !Number.isInteger(v.pid) || (v.pid as number) <= 0 || typeof v.tls !== 'boolean') return undefined;
  return v as DaemonState;
}

/** Whether a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Publishes the state at `path`, mode 0600, atomically and exclusively: the content goes to a temp
 * file that is then hard-linked to the final name, which fails when the name exists, so two daemons
 * starting at once cannot both win. A file left by a daemon that died is replaced; a live daemon's is
 * an error naming its pid and URL.
 */
export function writeDaemonState(path: string, state: DaemonState): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.serve.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, 0o600);
  try {
    try {
      linkSync(temp, path);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const other = readStateFile(path);
    if (other && processAlive(other.pid)) throw alreadyRunning(other);
    // A dead daemon's file (or garbage): replace it atomically.
    renameSync(temp, path);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      /* linked and removed, or renamed away */
    }
  }
}

/** Removes the state file if it still describes this process (a newer daemon's file is left alone). */
export function removeDaemonState(path: string, pid = process.pid): void {
  const state = readStateFile(path);
  if (state && state.pid !== pid) return;
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

/** The error for a second `vault serve`. */
export function alreadyRunning(state: DaemonState): VaultError {
  return new VaultError('SERVE_RUNNING', `vault serve is already running (pid ${state.pid}, ${state.url})`, { hint: `stop it first: kill ${state.pid}` });
}
