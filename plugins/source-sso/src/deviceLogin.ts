import { awsErrorCode, formatGoDuration, VaultError, type DebugLogger, type OidcClientRegistration } from '@awsvault/core';
import type { LoginIo } from './loginIo.js';
import { DEVICE_CODE_GRANT, type IssuedToken, type SsoOidcApi } from './ssoApi.js';
import { ssoCallError, type SsoCallSite } from './ssoErrors.js';
import { startWaitIndicator } from '@awsvault/core';

/** RFC 8628 §3.5: the interval when the server names none, and what `slow_down` adds to it. */
const DEFAULT_INTERVAL_S = 5;
const SLOW_DOWN_S = 5;

export interface DeviceLoginOptions {
  api: SsoOidcApi;
  client: OidcClientRegistration;
  site: SsoCallSite;
  /** `--stdout`: print the link, do not open a browser. */
  printOnly: boolean;
  io: LoginIo;
  debug: DebugLogger;
}

/** The lines that tell the person what to open and which code to expect there. */
export function announceLogin(io: LoginIo, url: string, printOnly: boolean, extra: string[] = []): void {
  const first = printOnly
    ? 'Open the SSO authorization page in a browser (use Ctrl-C to abort)'
    : 'Opening the SSO authorization page in your default browser (use Ctrl-C to abort)';
  io.stderr.write([first, url, ...extra].map((line) => `${line}\n`).join(''));
}

/**
 * The device authorization grant: StartDeviceAuthorization, show the verification link and user
 * code on stderr (and open the link), then poll CreateToken every `interval` seconds, 5 more after
 * each `slow_down`, until the person approves, denies, or the code expires.
 */
export async function deviceLogin(options: DeviceLoginOptions): Promise<IssuedToken> {
  const { api, client, site, io, debug } = options;
  const secrets = [client.clientSecret];
  let auth;
  try {
    auth = await api.startDeviceAuthorization({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: site.startUrl });
  } catch (error) {
    throw ssoCallError(site, 'sso-oidc:StartDeviceAuthorization', error, { secrets });
  }
  const url = auth.verificationUriComplete ?? auth.verificationUri;
  announceLogin(io, url, options.printOnly, [
    `Confirmation code: ${auth.userCode} (profile ${site.profileName}; the page must show this code${auth.verificationUriComplete ? '' : ', enter it there'})`,
  ]);
  const opened = options.printOnly ? undefined : await io.openBrowser(url);
  if (opened && !opened.ok) io.stderr.write(`vault: could not open a browser (${opened.reason}); open the link above yourself\n`);

  let intervalS = Math.max(1, auth.interval ?? DEFAULT_INTERVAL_S);
  const deadline = io.now() + auth.expiresIn * 1000;
  const expired = () =>
    new VaultError('SSO_LOGIN_EXPIRED', `profile ${site.profileName}: the SSO sign-in request for ${site.startUrl} expired before it was approved`, {
      hint: `run the command again and approve the request within ${formatGoDuration(auth.expiresIn * 1000)}`,
    });
  const indicator = startWaitIndicator(io.stderr, 'Waiting for the request to be approved in the browser', { now: io.now });
  try {
    for (;;) {
      await io.sleep(intervalS * 1000);
      if (io.now() >= deadline) throw expired();
      try {
        return await api.createToken({ grantType: DEVICE_CODE_GRANT, deviceCode: auth.deviceCode, clientId: client.clientId, clientSecret: client.clientSecret });
      } catch (error) {
        switch (awsErrorCode(error)) {
          case 'AuthorizationPendingException':
            continue;
          case 'SlowDownException':
            intervalS += SLOW_DOWN_S;
            debug(`SSO asked vault to poll more slowly; polling every ${intervalS}s`);
            continue;
          case 'ExpiredTokenException':
            throw expired();
          case 'AccessDeniedException':
            throw new VaultError('SSO_LOGIN_DENIED', `profile ${site.profileName}: the SSO sign-in request for ${site.startUrl} was denied in the browser`, {
              hint: 'run the command again and allow the request',
            });
          default:
            throw ssoCallError(site, 'sso-oidc:CreateToken', error, { secrets: [...secrets, auth.deviceCode] });
        }
      }
    }
  } finally {
    indicator.stop();
  }
}
