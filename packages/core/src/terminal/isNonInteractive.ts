import { hasTerminal } from './askOnTerminal.js';

/** `VAULT_NON_INTERACTIVE=1` (or true/yes/on): never ask the user anything, fail at once instead. @public */
export const NON_INTERACTIVE_ENV = 'VAULT_NON_INTERACTIVE';

type Env = Readonly<Record<string, string | undefined>>;

/** How `isNonInteractive` judges a machine; tests pass their own. @public */
export interface InteractivityProbe {
  /** Whether a terminal can be opened (default: `/dev/tty`, or the console on Windows). */
  hasTerminal?: () => boolean;
  /**
   * Whether the user can be reached without a terminal (a dialog prompt, a browser). Default:
   * `graphicalSession(env)`. A caller that knows better (the GUI prompt it would use is missing)
   * passes its own answer.
   */
  gui?: boolean;
  platform?: NodeJS.Platform;
}

/** Whether the variable asks for non-interactive mode. @public */
export function nonInteractiveRequested(env: Env): boolean {
  return /^(1|true|yes|on)$/i.test((env[NON_INTERACTIVE_ENV] ?? '').trim());
}

/**
 * Whether a desktop session is there to show a window in: macOS and Windows outside SSH, other
 * systems with DISPLAY or WAYLAND_DISPLAY.
 * @public
 */
export function graphicalSession(env: Env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return !(env['SSH_CONNECTION'] || env['SSH_TTY']);
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

/**
 * True when nothing may wait for the user: `VAULT_NON_INTERACTIVE=1`, or no terminal can be opened
 * and no graphical prompt is usable (a `credential_process` started by an IDE without a desktop,
 * cron, CI, a daemon). Steps that would ask (an MFA code, an SSO sign-in, a confirmation) then fail
 * with one line instead of waiting for an answer that cannot come.
 * @public
 */
export function isNonInteractive(env: Env, probe: InteractivityProbe = {}): boolean {
  if (nonInteractiveRequested(env)) return true;
  if ((probe.hasTerminal ?? hasTerminal)()) return false;
  return !(probe.gui ?? graphicalSession(env, probe.platform));
}
