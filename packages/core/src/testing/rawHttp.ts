/**
 * Test support: raw HTTP/1.1 over a socket, so tests control every byte a hostile
 * client would — the request target as-is, any Host header or none, oversized headers — and see
 * resets as outcomes instead of exceptions.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Outcome = RawResponse | { error: string };

export interface RawRequest {
  method?: string;
  path?: string;
  /** Header lines in order; `Host` is not added unless given here. */
  headers?: Array<[string, string]>;
  /** Request line version, default HTTP/1.1. */
  version?: string;
  timeoutMs?: number;
}

/** Sends one request on a fresh connection (`Connection: close`) and parses the answer. */
export function rawRequest(port: number, request: RawRequest = {}, host = '127.0.0.1'): Promise<Outcome> {
  const lines = [`${request.method ?? 'GET'} ${request.path ?? '/'} ${request.version ?? 'HTTP/1.1'}`];
  for (const [name, value] of request.headers ?? []) lines.push(`${name}: ${value}`);
  lines.push('Connection: close', '', '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(request.timeoutMs ?? 5_000, () => finish({ error: 'timeout' }));
    socket.on('connect', () => socket.write(lines.join('\r\n')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const parsed = parse(Buffer.concat(chunks).toString('latin1'));
      finish(parsed ?? { error: error.code ?? error.message });
    });
    socket.on('end', () => finish(parse(Buffer.concat(chunks).toString('latin1')) ?? { error: 'closed without an answer' }));
  });
}

function parse(text: string): RawResponse | undefined {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const [statusLine, ...headerLines] = text.slice(0, split).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(match[1]), headers, body: Buffer.from(text.slice(split + 4), 'latin1').toString('utf8') };
}

/** Whether an outcome is an HTTP answer with this status. */
export function isStatus(outcome: Outcome, status: number): outcome is RawResponse {
  return 'status' in outcome && outcome.status === status;
}

/**
 * Opens `count` connections at once, each sending one request, and tallies what came back:
 * `"403"`, `"200"`, … or the socket error (`ECONNRESET` when the server dropped it at its cap).
 * Bounded by `timeoutMs` per connection; every socket is closed when it returns.
 */
export async function flood(port: number, count: number, request: RawRequest): Promise<{ tally: Record<string, number>; bodies: string[] }> {
  const outcomes = await Promise.all(Array.from({ length: count }, () => rawRequest(port, { timeoutMs: 10_000, ...request })));
  const tally: Record<string, number> = {};
  const bodies: string[] = [];
  for (const outcome of outcomes) {
    const key = 'status' in outcome ? String(outcome.status) : outcome.error;
    tally[key] = (tally[key] ?? 0) + 1;
    if ('body' in outcome) bodies.push(outcome.body);
  }
  return { tally, bodies };
}

/** Resolves true when a TCP connection to the port is refused (nothing listens any more). */
export function connectionRefused(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/**
 * Opens `count` connections that send nothing (a slow-loris flood) and keeps them until `release`.
 * `closedByServer()` counts those the server has closed so far.
 */
export async function holdIdle(port: number, count: number, host = '127.0.0.1'): Promise<{ closedByServer: () => number; release: () => void }> {
  const sockets: Socket[] = [];
  let closed = 0;
  let released = false;
  await Promise.all(Array.from({ length: count }, () => new Promise<void>((resolve) => {
    const socket = connect({ host, port });
    sockets.push(socket);
    socket.on('connect', () => resolve());
    socket.on('error', () => resolve());
    socket.on('close', () => {
      if (!released) closed++;
      resolve();
    });
    socket.resume();
  })));
  return {
    closedByServer: () => closed,
    release: () => {
      released = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}
