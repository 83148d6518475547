import { connect } from 'node:net';

/** One HTTP answer, or what happened to the connection instead (`ECONNRESET`, `timeout`, …). */
export type RawOutcome = { status: number; headers: Record<string, string>; body: string } | { error: string };

/**
 * One request written byte for byte on a fresh connection (no Host added, the target as given, any
 * header size), answer parsed; a hostile client's view of a server.
 */
export function rawRequest(url: string, options: { method?: string; path: string; headers?: Array<[string, string]>; version?: string; timeoutMs?: number }): Promise<RawOutcome> {
  const { hostname, port } = new URL(url);
  const lines = [`${options.method ?? 'GET'} ${options.path} ${options.version ?? 'HTTP/1.1'}`];
  for (const [name, value] of options.headers ?? []) lines.push(`${name}: ${value}`);
  lines.push('Connection: close', '', '');
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (outcome: RawOutcome) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(options.timeoutMs ?? 10_000, () => finish({ error: 'timeout' }));
    socket.on('connect', () => socket.write(lines.join('\r\n')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(parse(Buffer.concat(chunks)) ?? { error: error.code ?? error.message }));
    socket.on('end', () => finish(parse(Buffer.concat(chunks)) ?? { error: 'closed without an answer' }));
  });
}

function parse(raw: Buffer): RawOutcome | undefined {
  const text = raw.toString('latin1');
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

/** The status as a string, or the connection's fate. */
export function outcomeLabel(outcome: RawOutcome): string {
  return 'status' in outcome ? String(outcome.status) : outcome.error;
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
