/**
 * A small D-Bus client: method calls with timeouts, signal subscriptions, and a socket that keeps
 * the event loop alive only while something is in flight.
 *
 * It reuses dbus-next's wire layer (authentication handshake, marshalling, `Message`, `Variant`)
 * but not its `MessageBus`: that class loads xml2js at import time (about half of dbus-next's
 * ~22 ms load cost; we never introspect), never settles pending calls when the connection drops,
 * and has no notion of an idle socket. dbus-next is pinned to 0.10.2, whose internal module
 * paths this file names.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/** The parts of dbus-next's `Message` we use (lib/message-type.js). */
interface WireMessage {
  type: number;
  serial: number | null;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  signature: string;
  body: unknown[];
  flags: number;
}
interface WireMessageFields {
  type?: number;
  serial?: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number | null;
  destination?: string;
  signature?: string;
  body?: unknown[];
  flags?: number;
}
type WireMessageConstructor = new (fields: WireMessageFields) => WireMessage;
/** dbus-next's `Variant` (lib/variant.js): marshalled for `v` signatures, produced for received variants. */
type VariantConstructor = new (signature: string, value: unknown) => { signature: string; value: unknown };
/** What lib/connection.js returns: an emitter of `connect`, `message`, `error`, `end`. */
interface WireConnection extends EventEmitter {
  stream: Socket;
  message(msg: WireMessage): void;
}
type CreateConnection = (options: { busAddress: string }) => WireConnection;

const requireCjs = createRequire(import.meta.url);
const createConnection = requireCjs('dbus-next/lib/connection.js') as CreateConnection;
const { Message } = requireCjs('dbus-next/lib/message-type.js') as { Message: WireMessageConstructor };
const { Variant: WireVariant } = requireCjs('dbus-next/lib/variant.js') as { Variant: VariantConstructor };

const METHOD_CALL = 1;
const METHOD_RETURN = 2;
const ERROR = 3;
const SIGNAL = 4;
const NO_REPLY_EXPECTED = 1;

const BUS_NAME = 'org.freedesktop.DBus';
const BUS_PATH = '/org/freedesktop/DBus';

/** The default reply timeout of libdbus and GDBus. @public */
export const DEFAULT_CALL_TIMEOUT_MS = 25_000;

/** A D-Bus `VARIANT` value. @public */
export interface DBusVariant {
  signature: string;
  value: unknown;
}

/** A variant to send where a signature says `v`. @public */
export function variant(signature: string, value: unknown): DBusVariant {
  return new WireVariant(signature, value);
}

/** True for a received (or `variant()`-made) variant. @public */
export function isVariant(value: unknown): value is DBusVariant {
  return value instanceof WireVariant;
}

/** The peer answered with a D-Bus error (or did not answer in time: `org.freedesktop.DBus.Error.NoReply`). @public */
export class DBusCallError extends Error {
  /** The D-Bus error name, e.g. `org.freedesktop.Secret.Error.IsLocked`. */
  readonly errorName: string;
  constructor(errorName: string, text: string) {
    super(text === '' ? errorName : `${errorName}: ${text}`);
    this.name = 'DBusCallError';
    this.errorName = errorName;
  }
}

/** The connection to the bus could not be made or was lost. @public */
export class DBusConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DBusConnectionError';
  }
}

/** A method call. @public */
export interface MethodCall {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

interface PendingCall {
  resolve(body: unknown[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

type SignalHandler = (body: unknown[]) => void;

const describe = (value: unknown): string => (value instanceof Error ? value.message : Buffer.isBuffer(value) ? value.toString('utf8').trim() : String(value));

/** One connection to a message bus. @public */
export class DBusClient {
  readonly #connection: WireConnection;
  readonly #pending = new Map<number, PendingCall>();
  readonly #signalHandlers = new Map<string, Set<SignalHandler>>();
  readonly #closeListeners = new Set<(error: Error) => void>();
  #serial = 1;
  #holds = 0;
  #closed: Error | undefined;
  /** Our unique name (`:1.42`), known once connected. */
  uniqueName = '';

  private constructor(connection: WireConnection) {
    this.#connection = connection;
    connection.on('message', (msg: WireMessage) => this.#dispatch(msg));
    connection.on('error', (error: unknown, context?: unknown) => {
      // dbus-next reports a message it cannot decode with a second argument; that is not fatal.
      if (context !== undefined) return;
      this.#shutDown(new DBusConnectionError(`D-Bus connection failed: ${describe(error)}`, { cause: error }));
    });
    connection.on('end', () => this.#shutDown(new DBusConnectionError('the D-Bus connection was closed by the bus')));
    connection.stream.on('close', () => this.#shutDown(new DBusConnectionError('the D-Bus connection was closed')));
  }

  /**
   * Connects, authenticates and says Hello; rejects with `DBusConnectionError` on failure or after
   * `timeoutMs`. `busAddress` is in dbus-next's form (see `toDbusNextAddress`).
   */
  static async connect(busAddress: string, options: { timeoutMs: number }): Promise<DBusClient> {
    let connection: WireConnection;
    try {
      connection = createConnection({ busAddress });
    } catch (error) {
      throw new DBusConnectionError(`cannot connect to the D-Bus bus: ${describe(error)}`, { cause: error });
    }
    const client = new DBusClient(connection);
    try {
      const [name] = await client.call({ destination: BUS_NAME, path: BUS_PATH, interface: BUS_NAME, member: 'Hello' }, { timeoutMs: options.timeoutMs });
      client.uniqueName = String(name);
      return client;
    } catch (error) {
      client.close();
      if (error instanceof DBusCallError && error.errorName === 'org.freedesktop.DBus.Error.NoReply') {
        throw new DBusConnectionError(`the D-Bus bus did not answer within ${options.timeoutMs} ms`, { cause: error });
      }
      if (error instanceof DBusCallError) throw new DBusConnectionError(`the D-Bus bus refused the connection: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /** Set once the connection is gone (closed by us, the bus, or an error). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Calls a method and resolves with the reply body; rejects with `DBusCallError` or `DBusConnectionError`. */
  call(call: MethodCall, options: { timeoutMs?: number } = {}): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(this.#closed);
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const serial = this.#serial++;
    return new Promise<unknown[]>((resolve, reject) => {
      let msg: WireMessage;
      try {
        msg = new Message({ type: METHOD_CALL, serial, ...call, signature: call.signature ?? '', body: call.body ?? [] });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(serial);
        this.#updateRef();
        reject(new DBusCallError('org.freedesktop.DBus.Error.NoReply', `no reply to ${call.interface}.${call.member} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      timer.unref(); // the socket (ref'd while calls are pending) keeps the process alive, not the timer
      this.#pending.set(serial, { resolve, reject, timer });
      this.#updateRef();
      try {
        this.#connection.message(msg);
      } catch (error) {
        this.#settle(serial)?.reject(new DBusConnectionError(`cannot send a D-Bus message: ${describe(error)}`, { cause: error }));
      }
    });
  }

  /** Calls `org.freedesktop.DBus.Properties.Get` and unwraps the variant. */
  async getProperty(destination: string, path: string, iface: string, property: string): Promise<unknown> {
    const [value] = await this.call({ destination, path, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [iface, property] });
    return isVariant(value) ? value.value : value;
  }

  /** Calls `org.freedesktop.DBus.Properties.GetAll` and unwraps the variants. */
  async getAllProperties(destination: string, path: string, iface: string): Promise<Record<string, unknown>> {
    const [all] = await this.call({ destination, path, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [iface] });
    const out: Record<string, unknown> = {};
    if (typeof all === 'object' && all !== null) for (const [name, value] of Object.entries(all)) out[name] = isVariant(value) ? value.value : value;
    return out;
  }

  /** A call to the bus daemon itself. */
  callBus(member: string, signature = '', body: unknown[] = [], options: { timeoutMs?: number } = {}): Promise<unknown[]> {
    return this.call({ destination: BUS_NAME, path: BUS_PATH, interface: BUS_NAME, member, signature, body }, options);
  }

  /**
   * Delivers the signal `iface.member` from object `path`, sent by the connection `sender` (a
   * unique name), to `handler` until the returned function is called. Adds a bus match rule first,
   * so the signal is routed to us; resolves once it is active.
   */
  async subscribe(sender: string, path: string, iface: string, member: string, handler: SignalHandler): Promise<() => Promise<void>> {
    const key = `${sender}\n${path}\n${iface}\n${member}`;
    let handlers = this.#signalHandlers.get(key);
    if (handlers === undefined) this.#signalHandlers.set(key, (handlers = new Set()));
    handlers.add(handler);
    const rule = `type='signal',sender='${sender}',path='${path}',interface='${iface}',member='${member}'`;
    try {
      await this.callBus('AddMatch', 's', [rule]);
    } catch (error) {
      handlers.delete(handler);
      throw error;
    }
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.#signalHandlers.delete(key);
      if (!this.closed) await this.callBus('RemoveMatch', 's', [rule]).catch(() => {});
    };
  }

  /** Keeps the process alive (the socket ref'd) until the returned function is called. */
  hold(): () => void {
    this.#holds++;
    this.#updateRef();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#updateRef();
    };
  }

  /** Calls `listener` once when the connection goes away; the returned function stops that. */
  onClose(listener: (error: Error) => void): () => void {
    if (this.#closed) {
      listener(this.#closed);
      return () => {};
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Disconnects; pending calls reject with `DBusConnectionError`. */
  close(): void {
    this.#shutDown(new DBusConnectionError('the D-Bus connection was closed'));
  }

  #settle(serial: number): PendingCall | undefined {
    const pending = this.#pending.get(serial);
    if (pending === undefined) return undefined;
    this.#pending.delete(serial);
    clearTimeout(pending.timer);
    this.#updateRef();
    return pending;
  }

  #dispatch(msg: WireMessage): void {
    if (msg.type === METHOD_RETURN || msg.type === ERROR) {
      const pending = msg.replySerial === undefined ? undefined : this.#settle(Number(msg.replySerial));
      if (pending === undefined) return;
      if (msg.type === METHOD_RETURN) pending.resolve(msg.body);
      else pending.reject(new DBusCallError(msg.errorName ?? 'org.freedesktop.DBus.Error.Failed', typeof msg.body[0] === 'string' ? msg.body[0] : ''));
    } else if (msg.type === SIGNAL) {
      const handlers = this.#signalHandlers.get(`${msg.sender}\n${msg.path}\n${msg.interface}\n${msg.member}`);
      if (handlers) for (const handler of [...handlers]) handler(msg.body);
    } else if (msg.type === METHOD_CALL && !(msg.flags & NO_REPLY_EXPECTED)) {
      // We export no objects; answer politely so a caller does not wait for its timeout.
      const isPing = msg.interface === 'org.freedesktop.DBus.Peer' && msg.member === 'Ping';
      const reply = isPing
        ? new Message({ type: METHOD_RETURN, serial: this.#serial++, replySerial: msg.serial, destination: msg.sender })
        : new Message({
            type: ERROR,
            serial: this.#serial++,
            replySerial: msg.serial,
            destination: msg.sender,
            errorName: 'org.freedesktop.DBus.Error.UnknownMethod',
            signature: 's',
            body: ['this connection exports no objects'],
          });
      try {
        this.#connection.message(reply);
      } catch {
        // The connection is going away; nothing to answer.
      }
    }
  }

  #updateRef(): void {
    if (this.#closed) return;
    if (this.#holds > 0 || this.#pending.size > 0) this.#connection.stream.ref();
    else this.#connection.stream.unref();
  }

  #shutDown(reason: Error): void {
    if (this.#closed) return;
    this.#closed = reason;
    const stream = this.#connection.stream;
    stream.end();
    stream.unref();
    // A socket that never connected (or a peer that never closes) must not linger.
    setTimeout(() => stream.destroy(), 1000).unref();
    for (const serial of [...this.#pending.keys()]) this.#settle(serial)?.reject(reason);
    this.#signalHandlers.clear();
    for (const listener of this.#closeListeners) listener(reason);
    this.#closeListeners.clear();
  }
}
