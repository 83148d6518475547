import { spawn } from 'node:child_process';

/** What came of trying to open a URL; `reason` never repeats the URL. */
export type OpenResult = { ok: true } | { ok: false; reason: string };

/** The command that opens a URL: `$BROWSER` when set, else `open` (macOS), `cmd /c start` (Windows), `xdg-open`. */
export function browserCommand(url: string, platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): { command: string; args: string[]; verbatim: boolean } {
  const browser = env['BROWSER']?.split(':')[0]?.trim();
  if (browser) return { command: browser, args: [url], verbatim: false };
  if (platform === 'darwin') return { command: 'open', args: [url], verbatim: false };
  // cmd.exe needs the URL quoted so `&` is not a command separator; the empty "" is start's window title.
  if (platform === 'win32') return { command: 'cmd.exe', args: ['/d', '/c', 'start', '""', `"${url}"`], verbatim: true };
  return { command: 'xdg-open', args: [url], verbatim: false };
}

/**
 * Opens `url` in the user's browser. Resolves `ok: false` when the opener is missing or fails; an
 * opener still running after `graceMs` (some keep the browser attached) counts as success and is
 * left running on its own.
 */
export function openBrowser(url: string, options: { platform?: NodeJS.Platform; env?: Readonly<Record<string, string | undefined>>; graceMs?: number } = {}): Promise<OpenResult> {
  const env = options.env ?? process.env;
  const { command, args, verbatim } = browserCommand(url, options.platform ?? process.platform, env);
  return new Promise((resolve) => {
    let done = false;
    const finish = (result: OpenResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(result);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: 'ignore', detached: true, windowsVerbatimArguments: verbatim, env: env as NodeJS.ProcessEnv });
    } catch (error) {
      resolve({ ok: false, reason: `${command} could not start (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    const timer = setTimeout(() => {
      child.unref();
      finish({ ok: true });
    }, options.graceMs ?? 3_000);
    child.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, reason: error.code === 'ENOENT' ? `${command} was not found` : `${command} could not start (${error.code ?? 'error'})` }));
    child.on('exit', (code, signal) => finish(code === 0 ? { ok: true } : { ok: false, reason: `${command} exited with ${signal ?? `code ${code}`}` }));
  });
}
