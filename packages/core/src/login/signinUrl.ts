import type { Credentials } from '../credentials.js';
import { VaultError } from '../errors.js';
import { silentLogger, type DebugLogger } from '../logger.js';

/**
 * Go's `url.QueryEscape`, which aws-vault uses for every URL it builds: letters, digits and `-_.~`
 * stay, a space becomes `+`, every other UTF-8 byte becomes `%XX` (upper-case hex).
 * @public
 */
export function goQueryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The `getSigninToken` request URL: `Action` and `Session` (the credentials as
 * `{"sessionId","sessionKey","sessionToken"}` JSON), keys sorted as Go's `url.Values` sends them.
 * No `SessionDuration`: the console session lasts as long as the credentials, as in aws-vault.
 * The URL carries the secret key: it is sent, never printed or logged.
 * @public
 */
export function signinTokenRequestUrl(federationUrl: string, credentials: Credentials): string {
  const session = JSON.stringify({ sessionId: credentials.accessKeyId, sessionKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken ?? '' });
  return `${federationUrl}?Action=getSigninToken&Session=${goQueryEscape(session)}`;
}

/** Minimal `fetch` shape, so tests can stand in for the network. @public */
export type FetchLike = (url: string, init?: { signal?: AbortSignal; redirect?: 'manual' | 'follow' | 'error' }) => Promise<{ status: number; statusText: string; text(): Promise<string> }>;

/**
 * Exchanges temporary credentials for a console sign-in token (`GET <federation>?Action=getSigninToken`).
 * A non-200 answer is one error line with the HTTP status; neither the URL (it holds the secret)
 * nor the credentials ever reach a message or the debug log.
 * @public
 */
export async function requestSigninToken(
  federationUrl: string,
  credentials: Credentials,
  options: { fetch?: FetchLike; debug?: DebugLogger; timeoutMs?: number } = {},
): Promise<string> {
  const debug = options.debug ?? silentLogger;
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const where = safeEndpoint(federationUrl);
  debug(`requesting a sign-in token from ${where}`);
  let response: Awaited<ReturnType<FetchLike>>;
  let body: string;
  try {
    response = await doFetch(signinTokenRequestUrl(federationUrl, credentials), { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000), redirect: 'manual' });
    body = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new VaultError('SIGNIN_FAILED', `call to getSigninToken at ${where} failed: ${reason}`, {
      hint: 'check AWS_ENDPOINT_URL_SIGNIN, AWS_ENDPOINT_URL, endpoint_url and your network',
    });
  }
  if (response.status !== 200) {
    debug(`getSigninToken answered ${response.status}: ${body.replace(/\s+/g, ' ').slice(0, 300)}`);
    throw new VaultError('SIGNIN_FAILED', `call to getSigninToken failed with ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, {
      hint: 'the console accepts role and federated sessions only; GetSessionToken sessions are refused (try --no-session)',
    });
  }
  let token: unknown;
  try {
    token = (JSON.parse(body) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') throw new VaultError('SIGNIN_FAILED', 'expected a response with SigninToken from getSigninToken');
  return token;
}

/**
 * The console login URL: `<federation>?Action=login&Issuer=aws-vault&Destination=…&SigninToken=…`.
 * With `autoLogout` (ByteNess `--auto-logout`) the URL signs out of the console first and redirects
 * to that login URL; unlike aws-vault, the redirect target is escaped whole, once, so the
 * destination and token survive the redirect intact.
 * @public
 */
export function consoleLoginUrl(options: { federationUrl: string; destination: string; signinToken: string; autoLogout?: boolean; logoutUrl?: string }): string {
  const login = `${options.federationUrl}?Action=login&Issuer=aws-vault&Destination=${goQueryEscape(options.destination)}&SigninToken=${goQueryEscape(options.signinToken)}`;
  if (!options.autoLogout) return login;
  const logout = options.logoutUrl ?? 'https://us-east-1.signin.aws.amazon.com/oauth';
  return `${logout}?Action=logout&redirect_uri=${goQueryEscape(login)}`;
}

/** Scheme, host and path of an endpoint, for messages: never its query. */
function safeEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the sign-in endpoint';
  }
}
