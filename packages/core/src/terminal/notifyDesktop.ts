import { findOnPath } from '../prompt/runPromptProgram.js';
import type { DebugLogger } from '../logger.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A notifier that has not answered by then is abandoned: a notification must never delay the error. */
const NOTIFY_TIMEOUT_MS = 2_000;

/** The program and argv that show a desktop notification here, or undefined when there is none. @public */
export function notificationCommand(summary: string, body: string, env: Env, platform: NodeJS.Platform = process.platform): { command: string; args: string[] } | undefined {
  if (platform === 'darwin') {
    const osascript = findOnPath('osascript', env);
    if (!osascript) return undefined;
    // The texts travel as arguments of the script, never inside its source.
    const script = 'on run argv\ndisplay notification (item 2 of argv) with title (item 1 of argv)\nend run';
    return { command: osascript, args: ['-e', script, summary, body] };
  }
  if (platform === 'win32') return undefined;
  const notifySend = findOnPath('notify-send', env);
  if (!notifySend) return undefined;
  return { command: notifySend, args: ['--app-name=vault', '--urgency=normal', '--', summary, body] };
}

/**
 * Shows a desktop notification (notify-send on Linux and other Unixes, `display notification` on
 * macOS) and resolves whether the notifier reported success. Never throws and never takes longer
 * than two seconds: it accompanies an error, it does not replace it.
 * @public
 */
export async function notifyDesktop(summary: string, body: string, options: { env: Env; platform?: NodeJS.Platform; debug?: DebugLogger }): Promise<boolean> {
  const found = notificationCommand(summary, body, options.env, options.platform);
  if (!found) {
    options.debug?.('no desktop notifier (notify-send, osascript) found; no notification');
    return false;
  }
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean, why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.debug?.(`desktop notification with ${found.command}: ${why}`);
      resolve(ok);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(found.command, found.args, { stdio: 'ignore', env: options.env as NodeJS.ProcessEnv });
    } catch (error) {
      settle(false, `could not start (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(false, 'no answer in time');
    }, NOTIFY_TIMEOUT_MS);
    child.on('error', (error: NodeJS.ErrnoException) => settle(false, `could not start (${error.code ?? 'error'})`));
    child.on('exit', (code, signal) => settle(code === 0, code === 0 ? 'shown' : `failed (${signal ?? `exit ${code}`})`));
  });
}
