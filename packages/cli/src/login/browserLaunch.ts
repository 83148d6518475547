/**
 * `vault login --browser`: the console in a browser identity of its own per AWS profile, so the
 * sessions of different accounts never share cookies.
 *
 * - `firefox-container`: Firefox opens `ext+container:` URLs through the "Open external links in a
 *   container" add-on, which puts the page in a container named after the profile (created on
 *   first use with the color and icon given). Without the add-on Firefox cannot open such a URL.
 * - `chrome-profile`: Chrome or Chromium with `--user-data-dir` set to a directory per profile under
 *   vault's data directory: each AWS profile is a separate browser profile.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { findOnPath, VaultError } from '@awsvault/core';

export const BROWSER_KINDS = ['firefox-container', 'chrome-profile'] as const;
export type BrowserKind = (typeof BROWSER_KINDS)[number];

/** The container colors the add-on accepts (those of Firefox's Multi-Account Containers). */
export const CONTAINER_COLORS = ['blue', 'turquoise', 'green', 'yellow', 'orange', 'red', 'pink', 'purple'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** A color that stays the same for a profile name, so a container looks the same every time. */
export function containerColor(profileName: string): string {
  const digest = createHash('sha256').update(profileName).digest();
  return CONTAINER_COLORS[(digest[0] ?? 0) % CONTAINER_COLORS.length] as string;
}

/** `ext+container:name=<profile>&color=<c>&icon=fingerprint&url=<login URL>`, each value percent-encoded. */
export function firefoxContainerUrl(url: string, profileName: string): string {
  const params = [['name', profileName], ['color', containerColor(profileName)], ['icon', 'fingerprint'], ['url', url]];
  return `ext+container:${params.map(([key, value]) => `${key}=${encodeURIComponent(value as string)}`).join('&')}`;
}

/**
 * The user-data directory of a profile: `<data dir>/browser-profiles/<name>`. Names that are not
 * plain file names get a hash suffix, so `a/b` and `a_b` never share a directory.
 */
export function chromeProfileDir(dataDir: string, profileName: string): string {
  const safe = profileName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
  const name = safe === profileName ? safe : `${safe}-${createHash('sha256').update(profileName).digest('hex').slice(0, 8)}`;
  return join(dataDir, 'browser-profiles', name);
}

/** The arguments after the browser's path. */
export function browserArgs(kind: BrowserKind, url: string, profileName: string, dataDir: string): string[] {
  if (kind === 'firefox-container') return [firefoxContainerUrl(url, profileName)];
  return [`--user-data-dir=${chromeProfileDir(dataDir, profileName)}`, '--no-first-run', '--no-default-browser-check', url];
}

const MAC_APPS: Record<BrowserKind, string[]> = {
  'firefox-container': ['/Applications/Firefox.app/Contents/MacOS/firefox'],
  'chrome-profile': ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
};
const PATH_NAMES: Record<BrowserKind, string[]> = {
  'firefox-container': ['firefox', 'firefox-esr'],
  'chrome-profile': ['google-chrome', 'google-chrome-stable', 'chromium', 'chromium-browser'],
};

/** `--browser-path`, else the first candidate on PATH, else (macOS) the usual application bundles. */
export function findBrowser(kind: BrowserKind, env: Env, options: { browserPath?: string | undefined; platform?: NodeJS.Platform; exists?: (path: string) => boolean } = {}): string {
  if (options.browserPath) return options.browserPath;
  for (const name of PATH_NAMES[kind]) {
    const found = findOnPath(name, env);
    if (found) return found;
  }
  if ((options.platform ?? process.platform) === 'darwin' && options.exists) {
    for (const app of MAC_APPS[kind]) if (options.exists(app)) return app;
  }
  throw new VaultError('BROWSER_NOT_FOUND', `no browser for --browser ${kind}: none of ${PATH_NAMES[kind].join(', ')} is on PATH`, {
    hint: 'pass --browser-path /path/to/the/browser',
  });
}

/**
 * Starts the browser detached (it outlives vault) with no stdio; resolves once it has started.
 * The error never contains the URL: it is a bearer credential.
 */
export async function launchBrowser(command: string, args: string[], env: Env): Promise<void> {
  const { spawn } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', env: env as NodeJS.ProcessEnv });
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new VaultError('BROWSER_FAILED', `cannot start the browser ${command}: ${error.code === 'ENOENT' ? 'not found' : error.code === 'EACCES' ? 'permission denied' : (error.code ?? 'error')}`, { hint: 'check --browser-path' })),
    );
  });
}
