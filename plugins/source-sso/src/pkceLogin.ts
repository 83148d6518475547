import { createHash, randomBytes } from 'node:crypto';
import { formatGoDuration, VaultError, type DebugLogger, type OidcClientRegistration } from '@awsvault/core';
import { announceLogin } from './deviceLogin.js';
import type { LoginIo } from './loginIo.js';
import { listenForRedirect } from './loopbackListener.js';
import type { IssuedToken, SsoOidcApi } from './ssoApi.js';
import { ssoCallError, type SsoCallSite } from './ssoErrors.js';
import { startWaitIndicator } from '@awsvault/core';

/** How long vault waits for the browser to come back, as long as a device code lives. */
export const PKCE_WAIT_MS = 10 * 60 * 1000;

export interface PkceLoginOptions {
  api: SsoOidcApi;
  client: OidcClientRegistration;
  site: SsoCallSite;
  scopes: readonly string[];
  /** `<sso-oidc endpoint>/authorize`. */
  authorizeEndpoint: string;
  /** `--stdout`: print the link, do not open a browser. */
  printOnly: boolean;
  /** When the browser cannot be opened, give up (resolve undefined) so the caller can use the device flow. */
  fallBackWithoutBrowser: boolean;
  io: LoginIo;
  debug: DebugLogger;
  waitMs?: number;
}

/** A PKCE verifier (RFC 7636 §4.1: 43–128 characters) and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The authorization request URL (query parameters as IAM Identity Center's authorize endpoint takes them). */
export function authorizeUrl(endpoint: string, params: { clientId: string; redirectUri: string; state: string; challenge: string; scopes: readonly string[] }): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    state: params.state,
    code_challenge_method: 'S256',
    scopes: params.scopes.join(' '),
    code_challenge: params.challenge,
  });
  return `${endpoint}?${query.toString()}`;
}

/**
 * The authorization-code grant with PKCE and a loopback redirect, as the AWS CLI v2 signs in:
 * listen on 127.0.0.1, send the browser to the authorize endpoint, take the code that comes back
 * with the same `state`, and redeem it with the verifier.
 */
export async function pkceLogin(options: PkceLoginOptions): Promise<IssuedToken | undefined> {
  const { api, client, site, io, debug } = options;
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(24).toString('base64url');
  const listener = await listenForRedirect({ state });
  try {
    const url = authorizeUrl(options.authorizeEndpoint, { clientId: client.clientId, redirectUri: listener.redirectUri, state, challenge, scopes: options.scopes });
    debug(`PKCE: waiting for the redirect on ${listener.redirectUri}`);
    if (!options.printOnly) {
      const opened = await io.openBrowser(url);
      if (!opened.ok) {
        debug(`could not open a browser: ${opened.reason}`);
        if (options.fallBackWithoutBrowser) {
          io.stderr.write(`vault: could not open a browser (${opened.reason}); signing in with a device code instead\n`);
          return undefined;
        }
        io.stderr.write(`vault: could not open a browser (${opened.reason}); open the link below in a browser on this machine\n`);
      }
    }
    announceLogin(io, url, options.printOnly, options.printOnly ? ['(the browser must run on this machine: it returns to 127.0.0.1)'] : []);
    const waitMs = options.waitMs ?? PKCE_WAIT_MS;
    const indicator = startWaitIndicator(io.stderr, 'Waiting for the sign-in to finish in the browser', { now: io.now });
    let result;
    try {
      result = await listener.result(waitMs);
    } catch {
      throw new VaultError('SSO_LOGIN_TIMEOUT', `profile ${site.profileName}: the SSO sign-in for ${site.startUrl} did not come back from the browser within ${formatGoDuration(waitMs)}`, {
        hint: 'run the command again, or use AWS_VAULT_SSO_FLOW=device to sign in with a code',
      });
    } finally {
      indicator.stop();
    }
    if ('error' in result) {
      const denied = result.error === 'access_denied';
      throw new VaultError(denied ? 'SSO_LOGIN_DENIED' : 'SSO_LOGIN_FAILED', `profile ${site.profileName}: the SSO sign-in for ${site.startUrl} ${denied ? 'was denied in the browser' : `failed: ${result.error}${result.description ? ` (${result.description})` : ''}`}`, {
        hint: denied ? 'run the command again and allow the request' : 'run the command again, or use AWS_VAULT_SSO_FLOW=device',
      });
    }
    try {
      return await api.createToken({ grantType: 'authorization_code', code: result.code, redirectUri: listener.redirectUri, codeVerifier: verifier, clientId: client.clientId, clientSecret: client.clientSecret });
    } catch (error) {
      throw ssoCallError(site, 'sso-oidc:CreateToken', error, { secrets: [client.clientSecret, result.code, verifier] });
    }
  } finally {
    await listener.close();
  }
}
