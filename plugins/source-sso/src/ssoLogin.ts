import { awsErrorCode, type DebugLogger, type OidcClientRegistration, type OidcToken } from '@awsvault/core';
import type { FlowChoice, SsoFlow } from './chooseFlow.js';
import { deviceLogin } from './deviceLogin.js';
import type { LoginIo } from './loginIo.js';
import { canReuseClient, registerClient } from './oidcClient.js';
import { pkceLogin } from './pkceLogin.js';
import type { IssuedToken, SsoOidcApi } from './ssoApi.js';
import type { SsoCallSite } from './ssoErrors.js';

export interface SsoLoginOptions {
  site: SsoCallSite;
  region: string;
  scopes: readonly string[];
  oidc: () => Promise<SsoOidcApi>;
  /** `<sso-oidc endpoint>/authorize`, for PKCE. */
  authorizeEndpoint: string;
  choice: FlowChoice;
  printOnly: boolean;
  /** A registration kept from an earlier login; reused when it fits, instead of registering again. */
  knownClient?: OidcClientRegistration | undefined;
  /** Told about every client registered, so a retry in this process reuses it. */
  onClient?: (client: OidcClientRegistration) => void;
  io: LoginIo;
  debug: DebugLogger;
}

/** An issued token as vault stores it: the expiry made absolute, the client kept for refreshing. */
export function toOidcToken(issued: IssuedToken, client: OidcClientRegistration, now: number): OidcToken {
  const token: OidcToken = { accessToken: issued.accessToken, expiresAt: new Date(now + issued.expiresIn * 1000), expiresIn: issued.expiresIn, registration: client };
  if (issued.tokenType) token.tokenType = issued.tokenType;
  if (issued.refreshToken) token.refreshToken = issued.refreshToken;
  if (issued.idToken) token.idToken = issued.idToken;
  return token;
}

/**
 * Signs the person in with the chosen flow: PKCE first when chosen (falling back to the device flow
 * when it was chosen automatically and no browser opens), else the device flow. The OIDC client is
 * reused while it fits and registered otherwise; a reused client the service no longer knows is
 * replaced once.
 */
export async function ssoLogin(options: SsoLoginOptions): Promise<OidcToken> {
  const { site, io, debug } = options;
  const api = await options.oidc();
  const clientFor = async (flow: SsoFlow, fresh: boolean): Promise<{ client: OidcClientRegistration; reused: boolean }> => {
    const want = { flow, region: options.region, scopes: options.scopes };
    if (!fresh && canReuseClient(options.knownClient, want, io.now())) {
      debug(`reusing the OIDC client registered for ${site.startUrl} until ${options.knownClient.expiresAt.toISOString()}`);
      return { client: options.knownClient, reused: true };
    }
    const client = await registerClient(api, site, want);
    debug(`registered OIDC client for ${site.startUrl} (${flow}, scopes ${want.scopes.join(' ') || 'none'}) until ${client.expiresAt.toISOString()}`);
    options.onClient?.(client);
    return { client, reused: false };
  };

  debug(`signing in to ${site.startUrl} with the ${options.choice.flow} flow (${options.choice.reason})`);
  if (options.choice.flow === 'pkce') {
    const { client } = await clientFor('pkce', false);
    const issued = await pkceLogin({
      api, client, site, scopes: options.scopes, authorizeEndpoint: options.authorizeEndpoint, printOnly: options.printOnly,
      fallBackWithoutBrowser: !options.choice.explicit, io, debug,
    });
    if (issued) return toOidcToken(issued, client, io.now());
  }
  let { client, reused } = await clientFor('device', false);
  const run = (c: OidcClientRegistration) => deviceLogin({ api, client: c, site, printOnly: options.printOnly, io, debug });
  try {
    return toOidcToken(await run(client), client, io.now());
  } catch (error) {
    if (!reused || awsErrorCode(error) !== 'InvalidClientException') throw error;
    debug('the stored OIDC client was refused; registering a new one');
    ({ client, reused } = await clientFor('device', true));
    return toOidcToken(await run(client), client, io.now());
  }
}
