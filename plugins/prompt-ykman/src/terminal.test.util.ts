/**
 * Runs a program with a real pseudo-terminal as its controlling terminal while its stdin is
 * /dev/null and its stdout and stderr are files, as under `credential_process`: whatever appears
 * on the terminal was written to /dev/tty on purpose. A short python3 driver (os.openpty) does the work.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

const DRIVER = `
import fcntl, json, os, select, signal, sys, termios
argv = json.loads(sys.argv[1])
out, err = sys.argv[2], sys.argv[3]
signal.alarm(int(sys.argv[4]))
master, slave = os.openpty()
pid = os.fork()
if pid == 0:
    os.close(master)
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    os.dup2(os.open('/dev/null', os.O_RDONLY), 0)
    os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    os.close(slave)
    os.execv(argv[0], argv)
# The parent keeps the slave open, so nothing written to the terminal is lost when the child exits.
transcript = b''
status = None
while True:
    if select.select([master], [], [], 0.05)[0]:
        transcript += os.read(master, 4096)
        continue
    if status is not None:
        break
    done, raw = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(raw)
sys.stdout.write(json.dumps({'transcript': transcript.decode('utf-8', 'replace'), 'status': status}))
`;

/** Why terminal tests cannot run here, or false. */
export function ptyMissing(): string | false {
  if (process.platform === 'win32') return 'no pseudo-terminals on Windows';
  const probe = spawnSync(PYTHON, ['-c', 'import fcntl, termios'], { stdio: 'ignore' });
  return probe.status === 0 ? false : 'needs python3 with termios';
}

export interface TerminalRun {
  /** Everything written to the terminal. */
  transcript: string;
  stdout: string;
  stderr: string;
  status: number;
}

export function runOnTerminal(argv: string[], env: Record<string, string>, timeoutSeconds = 20): Promise<TerminalRun> {
  const dir = mkdtempSync(join(tmpdir(), 'vault-pty-'));
  const out = join(dir, 'stdout');
  const err = join(dir, 'stderr');
  return new Promise((resolve, reject) => {
    const driver = spawn(PYTHON, ['-c', DRIVER, JSON.stringify(argv), out, err, String(timeoutSeconds)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let report = '';
    let problems = '';
    driver.stdout.setEncoding('utf8').on('data', (chunk: string) => (report += chunk));
    driver.stderr.setEncoding('utf8').on('data', (chunk: string) => (problems += chunk));
    driver.on('error', reject);
    driver.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`pty driver exited with ${code}: ${problems}`);
        const { transcript, status } = JSON.parse(report) as { transcript: string; status: number };
        resolve({ transcript, status, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** Runs a program in a new session with no controlling terminal, no stdin, output captured. */
export function runWithoutTerminal(argv: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<Omit<TerminalRun, 'transcript'>> {
  return new Promise((resolve, reject) => {
    const [command = '', ...args] = argv;
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status: code ?? -1 });
    });
  });
}
