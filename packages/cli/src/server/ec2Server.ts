import type { IncomingMessage, ServerResponse } from 'node:http';
import { silentLogger, type Credentials, type DebugLogger } from '@awsvault/core';
import { hostAllowed, isLoopbackAddress, loopbackHosts, METADATA_HOSTS, printable } from './hostCheck.js';
import { ImdsTokens, parseTokenTtl } from './imdsToken.js';
import { listen, sendText, type ListeningServer } from './httpServer.js';
import { requestPath } from './requestPath.js';
import { ec2CredentialsBody, publicMessage } from './serverCredentials.js';

/** The port aws-vault's EC2 credential server listens on, behind the privileged proxy. */
export const EC2_SERVER_PORT = 9099;
/** The one role name the emulated instance has. */
export const ROLE_NAME = 'local-credentials';

const CREDENTIALS_DIR = '/latest/meta-data/iam/security-credentials/';
const TOKEN_PATH = '/latest/api/token';

export interface Ec2ServerOptions {
  credentials: () => Promise<Credentials>;
  /** For `/latest/dynamic/instance-identity/document`. */
  region?: string | undefined;
  /** Default 127.0.0.1. */
  host?: string;
  /** 9099 behind the proxy; any port (0: a free one) when serving the child directly. */
  port: number;
  /**
   * `proxied`: requests arrive through the proxy on 169.254.169.254:80, so only that `Host` is accepted.
   * `direct`: the child is pointed at this listener; `127.0.0.1:<port>` and `localhost:<port>` are accepted too.
   */
  mode: 'proxied' | 'direct';
  /** Refuse requests without a session token (IMDSv1). */
  v2Only?: boolean;
  secrets?: () => readonly string[];
  debug?: DebugLogger;
  now?: () => number;
}

export interface Ec2Server extends ListeningServer {
  /** `http://<host>:<port>` of this listener. */
  readonly url: string;
}

const notFound = (res: ServerResponse) => sendText(res, 404, '404 page not found\n');
const redirect = (res: ServerResponse, to: string) => sendText(res, 301, '', { Location: to });

/**
 * aws-vault's instance-metadata server, with IMDSv2. Checks, in order: the peer is loopback and `Host`
 * names the metadata IP (or this listener in `direct` mode), else 401; `PUT /latest/api/token` issues a
 * token for the TTL in `X-aws-ec2-metadata-token-ttl-seconds` (1–21600, else 400), refused with 403 when
 * the request carries `X-Forwarded-For` (IMDS refuses proxied token requests); a request carrying
 * `X-aws-ec2-metadata-token` must carry a valid unexpired token, else 401; one without a token is IMDSv1,
 * allowed unless `v2Only`. Routes and bodies are aws-vault's.
 */
export async function startEc2Server(options: Ec2ServerOptions): Promise<Ec2Server> {
  const tokens = new ImdsTokens(options.now);
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  let allowedHosts: readonly string[] = METADATA_HOSTS;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) return sendText(res, 401, 'Access denied from non-localhost address\n');
    if (!hostAllowed(req.headers.host, allowedHosts)) return sendText(res, 401, `Access denied for host '${printable(req.headers.host)}'\n`);
    const path = requestPath(req.url);
    if (path === undefined) return sendText(res, 400, 'Bad Request\n');
    if (path === TOKEN_PATH) {
      if (req.method !== 'PUT') return sendText(res, 405, 'Method Not Allowed\n', { Allow: 'PUT' });
      if (req.headers['x-forwarded-for'] !== undefined) return sendText(res, 403, 'Forbidden\n');
      const ttl = parseTokenTtl(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (ttl === undefined) return sendText(res, 400, 'Bad Request\n');
      return sendText(res, 200, tokens.issue(ttl), { 'X-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (token !== undefined ? !tokens.verify(token) : options.v2Only === true) return sendText(res, 401, 'Unauthorized\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });

    if (path === `${CREDENTIALS_DIR}${ROLE_NAME}`) {
      let credentials: Credentials;
      try {
        credentials = await options.credentials();
      } catch (error) {
        return sendText(res, 504, `${publicMessage(error, options.secrets?.() ?? [])}\n`);
      }
      return sendText(res, 200, ec2CredentialsBody(credentials, now()));
    }
    if (path.startsWith(CREDENTIALS_DIR)) return sendText(res, 200, ROLE_NAME);
    if (path.startsWith('/latest/meta-data/instance-id/')) return sendText(res, 200, 'aws-vault');
    if (path.startsWith('/latest/meta-data/iam/info/')) return sendText(res, 200, '{"Code" : "Success"}');
    if (path === '/latest/dynamic/instance-identity/document') return sendText(res, 200, `{"region": ${JSON.stringify(options.region ?? '')}}`);
    if (['/latest/meta-data/iam/security-credentials', '/latest/meta-data/instance-id', '/latest/meta-data/iam/info'].includes(path)) return redirect(res, `${path}/`);
    return notFound(res);
  };
  const listening = await listen(host, options.port, handle, options.debug ?? silentLogger);
  if (options.mode === 'direct') allowedHosts = [...METADATA_HOSTS, ...loopbackHosts(listening.port)];
  return { host: listening.host, port: listening.port, close: listening.close, url: `http://${host}:${listening.port}` };
}
