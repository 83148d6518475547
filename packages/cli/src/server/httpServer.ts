import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { silentLogger, type DebugLogger } from '@awsvault/core';
import { printable } from './hostCheck.js';

/**
 * Open connections a server keeps at once. Past it, the connection idle the longest (typically one
 * that connected and never sent a request) is closed to make room, so a flood of idle connections
 * cannot lock a real client out; when every connection is busy, the newcomer is closed.
 */
export const MAX_CONNECTIONS = 512;
/** Node's own limit on the size of a request's headers (larger ones get 431). */
export const MAX_HEADER_BYTES = 16 * 1024;

/** A certificate chain and its private key (PEM), to serve HTTPS instead of HTTP. */
export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

/** A listening credential server. */
export interface ListeningServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening and drops every open connection; resolves when the port is released. */
  close(): Promise<void>;
}

/**
 * An HTTP server with the limits a local credential server needs against hostile clients: small
 * headers, short header and request deadlines, short keep-alive, a connection cap, and malformed
 * requests answered (400, 408, 431) and closed without bringing anything else down. The handler's
 * own failures become a 500 with a generic body. With `tls`, the same server speaks HTTPS; the limits then
 * apply from the end of the TLS handshake, which must finish within 10 s.
 */
export async function listen(
  host: string,
  port: number,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  debug: DebugLogger = silentLogger,
  tls?: TlsFiles,
): Promise<ListeningServer & { server: Server }> {
  const options = {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: 10_000,
    requestTimeout: 15_000,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: 1_000,
    requireHostHeader: true,
  };
  // An HTTPS server is an HTTP server behind TLS (same request handling, limits and tracking); typed as one.
  const server = tls
    ? (createHttpsServer({ ...options, cert: tls.cert, key: tls.key, handshakeTimeout: 10_000, minVersion: 'TLSv1.2' }) as unknown as Server)
    : createServer(options);
  limitConnections(server, MAX_CONNECTIONS, tls ? 'secureConnection' : 'connection');
  server.maxHeadersCount = 100;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    // A body is never read: drain it so the connection stays usable, within the request deadline.
    req.resume();
    if (debug !== silentLogger) {
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        debug(`http: ${req.socket.remoteAddress ?? '?'}: ${res.statusCode} ${printable(req.method, 10)} ${printable(req.url, 200)} (${ms.toFixed(3)}ms)`);
      });
    }
    handler(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors after start-up (e.g. EMFILE on accept) are logged, never thrown: the server keeps serving.
  server.on('error', (error) => debug(`credential server error: ${error.message}`));
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server,
    host,
    port: address.port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Keeps at most `max` connections, evicting the least recently active idle one first (see MAX_CONNECTIONS). */
function limitConnections(server: Server, max: number, event: 'connection' | 'secureConnection'): void {
  // Insertion order is recency: a socket moves to the end whenever a request starts on it.
  // With TLS, requests arrive on the TLS socket of `secureConnection`, not the TCP one of `connection`.
  const sockets = new Map<Socket, { busy: number }>();
  server.on(event, (socket: Socket) => {
    sockets.set(socket, { busy: 0 });
    socket.once('close', () => sockets.delete(socket));
    if (sockets.size <= max) return;
    for (const [candidate, state] of sockets) {
      if (state.busy === 0 && candidate !== socket) {
        sockets.delete(candidate);
        candidate.destroy();
        return;
      }
    }
    sockets.delete(socket);
    socket.destroy();
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = sockets.get(req.socket);
    if (!state) return;
    sockets.delete(req.socket);
    sockets.set(req.socket, state);
    state.busy++;
    res.once('close', () => state.busy--);
  });
}

/**
 * Answers a request Node could not parse (headers too large, a bad request line, a timeout) with a
 * bare status line and closes the connection. Unlike Node's default it half-closes and keeps reading
 * for a moment, so the client sees the status instead of a reset while it is still sending.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // Node reports the same parse error again for every further chunk the client sends: answer once.
  if (answered.has(socket)) return;
  answered.add(socket);
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  socket.on('error', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.resume();
  setTimeout(() => socket.destroy(), 1_000).unref();
}

const answered = new WeakSet<Socket>();

const COMMON_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;

/** A JSON body (already serialised), with the exact content type given. */
export function sendJson(res: ServerResponse, status: number, body: string, contentType = 'application/json; charset=utf-8', extra: Record<string, string> = {}): void {
  send(res, status, body, contentType, extra);
}

/** A plain-text body, as Go's `http.Error` writes it. */
export function sendText(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  send(res, status, body, 'text/plain; charset=utf-8', extra);
}

function send(res: ServerResponse, status: number, body: string, contentType: string, extra: Record<string, string>): void {
  res.writeHead(status, { ...COMMON_HEADERS, ...extra, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
