import { VaultError } from '@awsvault/core';

/** How vault signs in to IAM Identity Center. */
export type SsoFlow = 'device' | 'pkce';

export interface FlowChoice {
  flow: SsoFlow;
  /** True when `AWS_VAULT_SSO_FLOW` asked for it; an automatic PKCE choice falls back to the device flow when no browser opens. */
  explicit: boolean;
  /** Why, for `--debug`. */
  reason: string;
}

/** The variable that picks the flow: `device` or `pkce`. */
export const FLOW_ENV = 'AWS_VAULT_SSO_FLOW';

/**
 * `AWS_VAULT_SSO_FLOW=device|pkce` decides. Otherwise PKCE (the authorization-code flow with a
 * loopback redirect, as the AWS CLI v2 does) when a browser on this machine can be opened, and the
 * device-code flow when it cannot: with `--stdout`, over SSH, under WSL (the browser runs on
 * Windows), or on a Unix desktop-less session (no DISPLAY / WAYLAND_DISPLAY).
 */
export function chooseFlow(env: Readonly<Record<string, string | undefined>>, options: { stdout?: boolean; platform?: NodeJS.Platform } = {}): FlowChoice {
  const asked = (env[FLOW_ENV] ?? '').trim().toLowerCase();
  if (asked === 'device' || asked === 'pkce') return { flow: asked, explicit: true, reason: `${FLOW_ENV}=${asked}` };
  if (asked !== '') {
    throw new VaultError('SSO_FLOW_INVALID', `environment variable ${FLOW_ENV}=${env[FLOW_ENV]} is not a sign-in flow`, { hint: 'use device or pkce, or unset it' });
  }
  const device = (reason: string): FlowChoice => ({ flow: 'device', explicit: false, reason });
  if (options.stdout) return device('--stdout: no browser is opened');
  if (env['SSH_CONNECTION'] || env['SSH_CLIENT'] || env['SSH_TTY']) return device('this is an SSH session');
  const platform = options.platform ?? process.platform;
  if (platform !== 'darwin' && platform !== 'win32') {
    if (env['WSL_DISTRO_NAME'] || env['WSL_INTEROP']) return device('WSL: the browser runs outside this system');
    if (!env['DISPLAY'] && !env['WAYLAND_DISPLAY']) return device('no DISPLAY or WAYLAND_DISPLAY: no browser can be opened');
  }
  return { flow: 'pkce', explicit: false, reason: 'a browser can be opened on this machine' };
}
