import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv6 } from 'node:net';
import { isVaultError, silentLogger, type Credentials, type DebugLogger } from '@awsvault/core';
import { constantTimeEqual } from '../server/constantTimeEqual.js';
import { hostAllowed, isLoopbackAddress } from '../server/hostCheck.js';
import { listen, sendJson, type ListeningServer, type TlsFiles } from '../server/httpServer.js';
import { isRoleRoute, requestPath, roleArnFromPath } from '../server/requestPath.js';
import { ecsCredentialsBody, publicMessage } from '../server/serverCredentials.js';

const PROFILE_PREFIX = '/profile/';
/** Profile names the route accepts: what AWS config section names hold in practice, nothing that needs escaping. */
const PROFILE_NAME = /^[A-Za-z0-9_.@+=,:-]{1,128}$/;

export interface ServeServerOptions {
  /** Where to listen; every address gets the same port (the first one's when `port` is 0). */
  hosts: readonly string[];
  port: number;
  token: string;
  /** A profile's credentials, for `/profile/<name>`; a `PROFILE_NOT_FOUND` error becomes a 404. */
  credentials: (profileName: string) => Promise<Credentials>;
  /** Credentials of a role, for `/role-arn/<arn>`; without it that route answers 404. */
  roleCredentials?: ((roleArn: string) => Promise<Credentials>) | undefined;
  /** Why `/role-arn/` is off, for its 404. */
  roleRouteOff?: string;
  /** Names besides the listening addresses that `Host` may carry (`host.docker.internal`). */
  extraHostNames?: readonly string[];
  tls?: TlsFiles | undefined;
  /** Secrets held now, masked out of error messages. */
  secrets?: () => readonly string[];
  debug?: DebugLogger;
  now?: () => number;
}

export interface ServeServer {
  readonly port: number;
  /** `http(s)://<first host>:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

const message = (text: string): string => `${JSON.stringify({ Message: text })}\n`;

/**
 * The ECS credential endpoint of `vault serve`, for every profile. Checks, in order: a request that
 * reached a loopback address must come from loopback; `Host` must name a listening address (or an
 * extra name) with the port; `Authorization` must equal the token (constant time); all 403. Then GET
 * only (405), a plain path (400), and the routes: `/profile/<name>` (400 for a malformed name, 404
 * for an unknown profile), `/role-arn/<arn>` (400 for a malformed ARN), anything else 404. Errors are
 * `{"Message":"…"}` on one line and never hold a secret or echo the request.
 */
export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const now = options.now ?? Date.now;
  const secrets = options.secrets ?? (() => []);
  let allowedHosts: string[] = [];
  const fail = (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) => sendJson(res, status, message(text), undefined, extra);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (isLoopbackAddress(req.socket.localAddress) && !isLoopbackAddress(req.socket.remoteAddress)) return fail(res, 403, 'access denied from a non-loopback address');
    if (!hostAllowed(req.headers.host, allowedHosts)) return fail(res, 403, 'invalid Host header');
    if (!constantTimeEqual(req.headers.authorization, options.token)) return fail(res, 403, 'invalid Authorization token');
    if (req.method !== 'GET') return fail(res, 405, 'only GET is allowed', { Allow: 'GET' });
    const path = requestPath(req.url);
    if (path === undefined) return fail(res, 400, 'invalid request path');

    let fetch: () => Promise<Credentials>;
    if (path.startsWith(PROFILE_PREFIX)) {
      const name = path.slice(PROFILE_PREFIX.length);
      if (!PROFILE_NAME.test(name)) return fail(res, 400, 'invalid profile name: expected /profile/<name> with A-Z a-z 0-9 _ . @ + = , : -');
      fetch = () => options.credentials(name);
    } else if (isRoleRoute(path)) {
      const roleArn = roleArnFromPath(path);
      if (roleArn === undefined) return fail(res, 400, 'invalid role ARN: expected /role-arn/arn:aws:iam::<account>:role/<name>');
      const roles = options.roleCredentials;
      if (!roles) return fail(res, 404, options.roleRouteOff ?? '/role-arn/ is not served');
      fetch = () => roles(roleArn);
    } else {
      return fail(res, 404, 'no such route: use /profile/<name> or /role-arn/<arn>');
    }
    let credentials: Credentials;
    try {
      credentials = await fetch();
    } catch (error) {
      const notFound = isVaultError(error) && error.code === 'PROFILE_NOT_FOUND';
      return fail(res, notFound ? 404 : 500, publicMessage(error, secrets()));
    }
    sendJson(res, 200, ecsCredentialsBody(credentials, now()));
  };

  const debug = options.debug ?? silentLogger;
  const [first, ...rest] = options.hosts;
  if (first === undefined) throw new Error('startServeServer: no address to listen on');
  const listening: ListeningServer[] = [await listen(first, options.port, handle, debug, options.tls)];
  const port = listening[0]!.port;
  const close = () => Promise.all(listening.map((l) => l.close())).then(() => undefined);
  try {
    for (const host of rest) listening.push(await listen(host, port, handle, debug, options.tls));
  } catch (error) {
    await close();
    throw error;
  }
  allowedHosts = allowedHostHeaders(options.hosts, port, options.extraHostNames ?? []);
  return { port, url: `${options.tls ? 'https' : 'http'}://${hostInUrl(first)}:${port}`, close };
}

/** `Host` values that name this server: each address with the port, `localhost` for 127.0.0.1, and the extra names. */
export function allowedHostHeaders(hosts: readonly string[], port: number, extraNames: readonly string[]): string[] {
  const names = new Set<string>();
  for (const host of hosts) {
    names.add(hostInUrl(host).toLowerCase());
    if (host === '127.0.0.1' || host === '::1') names.add('localhost');
  }
  for (const name of extraNames) names.add(name.toLowerCase());
  return [...names].map((name) => `${name}:${port}`);
}

/** An address as it appears in a URL or `Host` (IPv6 in brackets). */
export function hostInUrl(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}
