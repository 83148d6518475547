import type { OidcClientRegistration } from '@awsvault/core';
import type { SsoFlow } from './chooseFlow.js';
import type { RegisterClientInput, SsoOidcApi } from './ssoApi.js';
import { ssoCallError, type SsoCallSite } from './ssoErrors.js';

/** The client name vault registers under (it shows in the access portal's approval page). */
export const CLIENT_NAME = 'vault';
/** Registered redirect for PKCE; loopback redirects may use any port (RFC 8252 §7.3). */
export const PKCE_REDIRECT_URI = 'http://127.0.0.1/oauth/callback';
/** A stored client is reused for a login only if it stays valid this long: a login can take 10 minutes. */
const LOGIN_MARGIN_MS = 15 * 60 * 1000;
/** …and for a refresh-token grant only if it is valid for at least this long. */
const REFRESH_MARGIN_MS = 60 * 1000;

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((scope, i) => scope === y[i]);
}

/** Whether a stored registration can serve a new login: same flow, region and scopes, and not about to expire. */
export function canReuseClient(client: OidcClientRegistration | undefined, want: { flow: SsoFlow; region: string; scopes: readonly string[] }, now: number): client is OidcClientRegistration {
  return client !== undefined && client.flow === want.flow && client.region === want.region && sameScopes(client.scopes, want.scopes) && client.expiresAt.getTime() - now > LOGIN_MARGIN_MS;
}

/** Whether a registration is still valid for the refresh-token grant. */
export function canRefreshWith(client: OidcClientRegistration | undefined, now: number): client is OidcClientRegistration {
  return client !== undefined && client.expiresAt.getTime() - now > REFRESH_MARGIN_MS;
}

/**
 * sso-oidc:RegisterClient as a public client named `vault`, with the scopes (so tokens come with a
 * refresh token) and, for PKCE, the authorization-code grant, the loopback redirect and the start
 * URL as issuer.
 */
export async function registerClient(api: SsoOidcApi, site: SsoCallSite, want: { flow: SsoFlow; region: string; scopes: readonly string[] }): Promise<OidcClientRegistration> {
  const input: RegisterClientInput = { clientName: CLIENT_NAME, clientType: 'public' };
  if (want.scopes.length > 0) input.scopes = [...want.scopes];
  if (want.flow === 'pkce') {
    input.grantTypes = ['authorization_code', 'refresh_token'];
    input.redirectUris = [PKCE_REDIRECT_URI];
    input.issuerUrl = site.startUrl;
  }
  try {
    const out = await api.registerClient(input);
    return { clientId: out.clientId, clientSecret: out.clientSecret, expiresAt: new Date(out.clientSecretExpiresAt * 1000), scopes: [...want.scopes], region: want.region, flow: want.flow };
  } catch (error) {
    throw ssoCallError(site, 'sso-oidc:RegisterClient', error);
  }
}
