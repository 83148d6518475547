import { spawn } from 'node:child_process';
import type { DebugLogger } from '@awsvault/core';

/** The outcome of trying to open a URL; `reason` never contains the URL (it may hold a secret). */
export type OpenResult = { ok: true } | { ok: false; reason: string };

/** The platform's opener: `open` on macOS, `cmd /c start ""` on Windows, `xdg-open` elsewhere. */
export function openerFor(platform: NodeJS.Platform, url: string): { command: string; args: string[]; verbatim: boolean } {
  if (platform === 'darwin') return { command: 'open', args: [url], verbatim: false };
  // Quoted so cmd.exe treats the URL's `&` literally; the empty title keeps `start` from taking the URL as one.
  if (platform === 'win32') return { command: 'cmd.exe', args: ['/d', '/c', 'start', '""', `"${url}"`], verbatim: true };
  return { command: 'xdg-open', args: [url], verbatim: false };
}

/**
 * Opens a URL in the user's browser with the platform's opener. Resolves `ok: false` when the opener
 * is missing or fails; an opener still running after `graceMs` (some browsers keep it attached) is
 * left to run and counts as success.
 */
export function openUrl(url: string, options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; graceMs?: number; debug?: DebugLogger } = {}): Promise<OpenResult> {
  const { command, args, verbatim } = openerFor(options.platform ?? process.platform, url);
  options.debug?.(`opening the login URL with ${command}`);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: OpenResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: 'ignore', detached: true, windowsVerbatimArguments: verbatim, ...(options.env ? { env: options.env } : {}) });
    } catch (error) {
      resolve({ ok: false, reason: `${command} could not start: ${(error as NodeJS.ErrnoException).code ?? 'error'}` });
      return;
    }
    const timer = setTimeout(() => {
      child.unref();
      settle({ ok: true });
    }, options.graceMs ?? 5_000);
    child.on('error', (error: NodeJS.ErrnoException) => settle({ ok: false, reason: error.code === 'ENOENT' ? `${command} was not found` : `${command} could not start: ${error.code ?? 'error'}` }));
    child.on('exit', (code, signal) => settle(code === 0 ? { ok: true } : { ok: false, reason: `${command} exited with ${signal ?? `code ${code}`}` }));
  });
}
