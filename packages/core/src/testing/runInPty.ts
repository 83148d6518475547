/**
 * Runs a command inside a real pseudo-terminal and types into it, for testing what a program does on
 * a terminal (prompts that read /dev/tty, echo off, Ctrl-C, a hang-up).
 *
 * A small python3 driver opens a pty, starts the command in a new session whose controlling terminal
 * is the pty's slave side (stdin = /dev/null, stdout and stderr = pipes, so the command's standard
 * streams are NOT the terminal), then works through the steps: wait until some text has appeared on
 * the terminal, optionally pause, then write keystrokes to the pty master. It records everything the
 * command printed on the terminal and on its pipes and prints one JSON report. The driver enforces
 * its own deadline and kills the command when it is reached.
 *
 * Needs `python3` on PATH and a POSIX system; check `ptyAvailable()` and skip otherwise.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';

/** One step of a pty session: each field is optional and they happen in this order. @public */
export interface PtyStep {
  /** Wait until this text appears on the terminal (after the previous step's match). */
  waitFor?: string;
  /** Then pause this long, in milliseconds. */
  pauseMs?: number;
  /** Then type this (control characters as `\u0003` etc.). */
  send?: string;
  /** Then close the pty master: the terminal hangs up under the command. */
  hangup?: boolean;
}

/** What `runInPty` saw. @public */
export interface PtyRun {
  /** Everything written to the terminal. */
  transcript: string;
  stdout: string;
  stderr: string;
  /** Exit status; negative for a signal (python convention). */
  exitCode: number | null;
  timedOut: boolean;
  stepsDone: number;
}

const DRIVER = String.raw`
import fcntl, json, os, select, subprocess, sys, termios, time

spec = json.loads(sys.stdin.read())
deadline = time.monotonic() + spec['timeoutMs'] / 1000.0
master, slave = os.openpty()

def take_terminal():
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

child = subprocess.Popen(spec['argv'], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=take_terminal, pass_fds=(slave,))
os.close(slave)
buffers = {master: bytearray(), child.stdout.fileno(): bytearray(), child.stderr.fileno(): bytearray()}
open_fds = set(buffers)
pipes = {child.stdout.fileno(), child.stderr.fileno()}
steps = spec['steps']
index, search_from, matched, ready_at, timed_out = 0, 0, False, None, False

def read_some(timeout):
    if not open_fds:
        time.sleep(timeout)
        return
    readable, _, _ = select.select(list(open_fds), [], [], timeout)
    for fd in readable:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if data:
            buffers[fd].extend(data)
        else:
            open_fds.discard(fd)

try:
    while True:
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            break
        while index < len(steps):
            step = steps[index]
            wanted = step.get('waitFor')
            if wanted is not None and not matched:
                found = buffers[master].find(wanted.encode(), search_from)
                if found < 0:
                    break
                search_from = found + len(wanted.encode())
                matched = True
            if ready_at is None:
                ready_at = now + step.get('pauseMs', 0) / 1000.0
            if now < ready_at:
                break
            text = step.get('send')
            if text is not None and master in open_fds:
                try:
                    os.write(master, text.encode())
                except OSError:
                    pass
            if step.get('hangup') and master in open_fds:
                open_fds.discard(master)
                os.close(master)
            index, matched, ready_at = index + 1, False, None
        if child.poll() is not None and not (open_fds & pipes):
            break
        read_some(min(0.02, max(0.0, deadline - now)))
    for _ in range(20):
        if master not in open_fds:
            break
        readable, _, _ = select.select([master], [], [], 0.01)
        if not readable:
            break
        read_some(0)
finally:
    if child.poll() is None:
        child.kill()
    child.wait()

print(json.dumps({
    'transcript': buffers[master].decode('utf-8', 'replace'),
    'stdout': buffers[child.stdout.fileno()].decode('utf-8', 'replace'),
    'stderr': buffers[child.stderr.fileno()].decode('utf-8', 'replace'),
    'exitCode': child.returncode,
    'timedOut': timed_out,
    'stepsDone': index,
}))
`;

/** Whether the pty driver can run here (python3 with its pty module, not Windows). @public */
export function ptyAvailable(): boolean {
  if (process.platform === 'win32') return false;
  const probe = spawnSync('python3', ['-c', 'import pty, termios, fcntl'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
}

/**
 * Runs `argv` inside a fresh pty, typing per `steps`; resolves once it exited or the deadline
 * (`timeoutMs`) hit, when the command is killed and `timedOut` is set.
 *
 * @example
 * ```ts
 * const run = await runInPty(nodeModuleArgv(`import { ask } from 'my-prompt'; console.log(await ask());`), [
 *   { waitFor: 'Enter MFA code', send: '123456\r' },
 * ]);
 * assert.equal(run.stdout.trim(), '123456');
 * ```
 * @public
 */
export function runInPty(argv: string[], steps: PtyStep[], timeoutMs = 10_000): Promise<PtyRun> {
  return new Promise((resolve, reject) => {
    const driver = spawn('python3', ['-c', DRIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    // the driver kills the command at its own deadline; this only guards against the driver hanging
    const guard = setTimeout(() => driver.kill('SIGKILL'), timeoutMs + 5_000);
    driver.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    driver.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    driver.on('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    driver.on('close', (code) => {
      clearTimeout(guard);
      try {
        resolve(JSON.parse(out) as PtyRun);
      } catch {
        reject(new Error(`pty driver failed (exit ${String(code)}): ${err || out}`));
      }
    });
    driver.stdin.end(JSON.stringify({ argv, steps, timeoutMs }));
  });
}

/** argv that runs an ES module source text with this Node (for `runInPty`). @public */
export function nodeModuleArgv(source: string): string[] {
  return [process.execPath, '--input-type=module', '-e', source];
}

/**
 * Runs an ES module source text with this Node and no controlling terminal at all (a new session,
 * no tty on any fd, as under cron or CI); the child is killed after `timeoutMs`.
 * @public
 */
export function runWithoutTerminal(
  source: string,
  timeoutMs = 10_000,
): Promise<{ stdout: string; stderr: string; exitCode: number | null; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const [command, ...args] = nodeModuleArgv(source);
    const child = spawn(command as string, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(guard);
      resolve({ stdout, stderr, exitCode, elapsedMs: Date.now() - started });
    });
  });
}
