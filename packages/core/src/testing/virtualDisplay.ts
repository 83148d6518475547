/**
 * A real X display for dialog tests: Xvfb on a display number it picks itself (`-displayfd`), and
 * xdotool to find a dialog by its title and type into it like a user.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const XVFB = '/usr/bin/Xvfb';
export const XDOTOOL = '/usr/bin/xdotool';

/** Why the real-display tests cannot run here, or false when they can. */
/** @public */
export function displayToolsMissing(...programs: string[]): string | false {
  const missing = [XVFB, XDOTOOL, ...programs].filter((path) => !existsSync(path));
  return missing.length > 0 ? `needs ${missing.join(', ')} (apt-get install xvfb xdotool zenity)` : false;
}

export interface VirtualDisplay {
  /** The value for DISPLAY, e.g. `:3`. */
  display: string;
  close(): Promise<void>;
}

/** Starts Xvfb on a free display and resolves once it accepts clients. */
export function startXvfb(timeoutMs = 15_000): Promise<VirtualDisplay> {
  return new Promise((resolve, reject) => {
    const server = spawn(XVFB, ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1024x768x24'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    let announced = '';
    const timer = setTimeout(() => {
      server.kill('SIGKILL');
      reject(new Error(`Xvfb did not start in ${timeoutMs} ms: ${errors}`));
    }, timeoutMs);
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    server.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with ${code}: ${errors}`));
    });
    const fd3 = server.stdio[3] as NodeJS.ReadableStream;
    fd3.setEncoding('utf8');
    fd3.on('data', (chunk: string) => {
      announced += chunk;
      if (!announced.includes('\n')) return;
      clearTimeout(timer);
      server.removeAllListeners('exit');
      const display = `:${announced.trim()}`;
      resolve({
        display,
        close: () =>
          new Promise<void>((done) => {
            if (server.exitCode !== null) return done();
            server.once('exit', () => done());
            server.kill('SIGTERM');
          }),
      });
    });
  });
}

/** Runs xdotool on `display`; rejects on failure or after `timeoutMs`. */
export function xdotool(display: string, args: string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(XDOTOOL, args, { env: { ...process.env, DISPLAY: display }, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`xdotool ${args.join(' ')} failed: ${error.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for the window titled `title`, gives it the keyboard focus (there is no window manager),
 * types `text` and presses `finalKey` (`Return` to submit, `Escape` to cancel).
 * Resolves the window's title as X reports it.
 */
export async function answerDialog(display: string, title: string, text: string, finalKey = 'Return'): Promise<string> {
  const ids = (await xdotool(display, ['search', '--sync', '--onlyvisible', '--name', title])).trim().split('\n');
  const id = ids.at(-1) ?? '';
  await xdotool(display, ['windowfocus', '--sync', id]);
  await pause(250); // let GTK settle the focus on the entry before keys arrive
  if (text !== '') await xdotool(display, ['type', '--delay', '40', text]);
  await xdotool(display, ['key', finalKey]);
  return (await xdotool(display, ['getwindowname', id]).catch(() => title)).trim();
}
