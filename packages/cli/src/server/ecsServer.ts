import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { silentLogger, type Credentials, type DebugLogger } from '@awsvault/core';
import { constantTimeEqual } from './constantTimeEqual.js';
import { hostAllowed, isLoopbackAddress, loopbackHosts } from './hostCheck.js';
import { listen, sendJson, type ListeningServer } from './httpServer.js';
import { isRoleRoute, requestPath, roleArnFromPath } from './requestPath.js';
import { ecsCredentialsBody, publicMessage } from './serverCredentials.js';

/** Bytes of randomness in the authorization token (aws-vault uses 30: 40 base64url characters). */
const TOKEN_BYTES = 30;

export interface EcsServerOptions {
  /** The profile's credentials (`/` and every path but `/role-arn/…`). */
  credentials: () => Promise<Credentials>;
  /** Credentials of a role assumed from the profile's, for `/role-arn/<arn>` (the ARN is validated first). */
  roleCredentials: (roleArn: string) => Promise<Credentials>;
  /** Secrets held now, masked out of error messages. */
  secrets?: () => readonly string[];
  /** Fixed token (tests); by default 30 random bytes, base64url. */
  token?: string;
  debug?: DebugLogger;
  now?: () => number;
}

export interface EcsServer extends ListeningServer {
  /** `http://127.0.0.1:<port>`, for AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  readonly url: string;
  /** For AWS_CONTAINER_AUTHORIZATION_TOKEN; sent back verbatim in the Authorization header. */
  readonly token: string;
}

/** aws-vault's error shape: `{"Message":"…"}` and a newline, as JSON. */
const message = (text: string): string => `${JSON.stringify({ Message: text })}\n`;

/**
 * The ECS container-credentials endpoint of `vault exec --ecs-server`, on 127.0.0.1 and a random port.
 * Every request must come from loopback, name this listener in `Host` (DNS rebinding) and carry the
 * token in `Authorization`, compared in constant time; otherwise 403. `/role-arn/<arn>` answers a role
 * assumed from the profile's credentials (a malformed ARN or path is 400), any other path the profile's
 * credentials; a failure to get them is a 500 whose message holds no secret.
 */
export async function startEcsServer(options: EcsServerOptions): Promise<EcsServer> {
  const token = options.token ?? randomBytes(TOKEN_BYTES).toString('base64url');
  const now = options.now ?? Date.now;
  let allowedHosts: string[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) return sendJson(res, 403, message('access denied from a non-loopback address'));
    if (!hostAllowed(req.headers.host, allowedHosts)) return sendJson(res, 403, message('invalid Host header'));
    if (!constantTimeEqual(req.headers.authorization, token)) return sendJson(res, 403, message('invalid Authorization token'));
    const path = requestPath(req.url);
    if (path === undefined) return sendJson(res, 400, message('invalid request path'));
    let credentials: Credentials;
    if (isRoleRoute(path)) {
      const roleArn = roleArnFromPath(path);
      if (roleArn === undefined) return sendJson(res, 400, message('invalid role ARN: expected /role-arn/arn:aws:iam::<account>:role/<name>'));
      try {
        credentials = await options.roleCredentials(roleArn);
      } catch (error) {
        return sendJson(res, 500, message(publicMessage(error, options.secrets?.() ?? [])));
      }
    } else {
      try {
        credentials = await options.credentials();
      } catch (error) {
        return sendJson(res, 500, message(publicMessage(error, options.secrets?.() ?? [])));
      }
    }
    sendJson(res, 200, ecsCredentialsBody(credentials, now()));
  };
  const listening = await listen('127.0.0.1', 0, handle, options.debug ?? silentLogger);
  allowedHosts = loopbackHosts(listening.port);
  return { host: listening.host, port: listening.port, close: listening.close, url: `http://127.0.0.1:${listening.port}`, token };
}
