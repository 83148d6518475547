import { openBrowser, type OpenResult } from './openBrowser.js';
import type { MessageStream } from '@awsvault/core';

/** What a login talks to besides AWS: the user's terminal, their browser and the clock. Tests pass fakes. */
export interface LoginIo {
  stderr: MessageStream;
  openBrowser(url: string): Promise<OpenResult>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** The real thing: process.stderr, the platform's URL opener, timers and Date.now. */
export function processLoginIo(env: Readonly<Record<string, string | undefined>>): LoginIo {
  return {
    stderr: process.stderr,
    openBrowser: (url) => openBrowser(url, { env }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
  };
}
