/**
 * D-Bus server addresses (`DBUS_SESSION_BUS_ADDRESS`), as the D-Bus specification defines them:
 * `transport:key=value,key=value;transport:...`, values `%XX`-escaped. We pick the first entry
 * Node.js can connect to without a native module.
 */

/** One `transport:key=value,...` entry of an address. @public */
export interface BusAddressEntry {
  transport: string;
  params: ReadonlyMap<string, string>;
}

/** A socket Node's `net` module can open. @public */
export type BusTransport = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Thrown for text that is not a D-Bus address. @public */
export class BusAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusAddressError';
  }
}

function unescapeValue(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new BusAddressError(`bad %-escape in D-Bus address value ${JSON.stringify(raw)}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) bytes.push(byte);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Splits an address into its entries and unescapes the values. @public */
export function parseBusAddress(address: string): BusAddressEntry[] {
  const entries: BusAddressEntry[] = [];
  for (const part of address.split(';')) {
    if (part.trim() === '') continue;
    const colon = part.indexOf(':');
    if (colon <= 0) throw new BusAddressError(`D-Bus address entry ${JSON.stringify(part)} has no transport`);
    const params = new Map<string, string>();
    const rest = part.slice(colon + 1);
    if (rest !== '') {
      for (const pair of rest.split(',')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new BusAddressError(`D-Bus address entry ${JSON.stringify(part)} has a malformed key=value pair`);
        params.set(pair.slice(0, eq), unescapeValue(pair.slice(eq + 1)));
      }
    }
    entries.push({ transport: part.slice(0, colon), params });
  }
  return entries;
}

/** Characters dbus-next's address parser splits on (it does not unescape). */
const UNPARSEABLE = /[;:,=]/;

/**
 * The first entry we can open, or why none can be. `unix:abstract=` sockets need a native module
 * (Node 20's `net` cannot reach the abstract namespace) and are skipped, as are transports that
 * only make sense for listening or need a launcher (`autolaunch:`, `launchd:`, `nonce-tcp:`...).
 * @public
 */
export function chooseBusTransport(address: string): { transport: BusTransport } | { reason: string } {
  let entries: BusAddressEntry[];
  try {
    entries = parseBusAddress(address);
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
  const skipped: string[] = [];
  for (const { transport, params } of entries) {
    if (transport === 'unix') {
      const path = params.get('path');
      if (path !== undefined && path !== '') {
        if (!UNPARSEABLE.test(path)) return { transport: { kind: 'unix', path } };
        skipped.push('unix:path containing ; : , or =');
      } else if (params.has('abstract')) skipped.push('unix:abstract (needs a native socket module)');
      else skipped.push('unix without a path');
    } else if (transport === 'tcp') {
      const host = params.get('host') ?? 'localhost';
      const port = Number(params.get('port'));
      if (!Number.isInteger(port) || port <= 0 || port > 65535) skipped.push('tcp without a valid port');
      else if (UNPARSEABLE.test(host)) skipped.push('tcp host containing ; : , or =');
      else return { transport: { kind: 'tcp', host, port } };
    } else {
      skipped.push(transport);
    }
  }
  if (entries.length === 0) return { reason: 'the D-Bus session bus address is empty' };
  return { reason: `no usable transport in the D-Bus session bus address (skipped: ${skipped.join(', ')})` };
}

/**
 * The transport as dbus-next's own address parser takes it. That parser splits on `;`, `:`, `,`
 * and `=` without unescaping, so a path or host containing one of those cannot be passed
 * (`chooseBusTransport` skips such entries); `socket=`
 * makes it use Node's `net` directly (no optional native module is tried).
 * @public
 */
export function toDbusNextAddress(transport: BusTransport): string {
  const value = transport.kind === 'unix' ? transport.path : transport.host;
  if (UNPARSEABLE.test(value)) throw new BusAddressError(`the D-Bus ${transport.kind === 'unix' ? 'socket path' : 'host'} ${JSON.stringify(value)} contains one of ; : , = which dbus-next cannot parse`);
  return transport.kind === 'unix' ? `unix:socket=${value}` : `tcp:host=${value},port=${transport.port}`;
}

/** A short description for messages. @public */
export function describeBusTransport(transport: BusTransport): string {
  return transport.kind === 'unix' ? `unix:path=${transport.path}` : `tcp:host=${transport.host},port=${transport.port}`;
}
