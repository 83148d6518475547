/**
 * Test support (not a test file, not published): a private dbus-daemon, optionally with an
 * unlocked gnome-keyring on it, plus raw D-Bus calls through dbus-next's own MessageBus, which is
 * different code from the backend's client, so tests check the backend against an independent
 * implementation of the calls.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dbus from 'dbus-next';
import type { BackendContext } from '@awsvault/core';
import { startPrivateBus, stopChild } from '@awsvault/core/testing';

export const SERVICE = 'org.freedesktop.secrets';
export const SERVICE_PATH = '/org/freedesktop/secrets';
/** The password the test keyring daemon is unlocked with. */
export const KEYRING_PASSWORD = 'test keyring password';

export interface TestBus {
  /** The bus address, as DBUS_SESSION_BUS_ADDRESS. */
  address: string;
  /** Environment for child processes on this bus (private HOME and XDG dirs). */
  env: Record<string, string>;
  /** A dbus-next connection for raw calls. */
  bus: dbus.MessageBus;
  /** A raw method call; resolves with the reply body. */
  call(destination: string, path: string, iface: string, member: string, signature?: string, body?: unknown[]): Promise<unknown[]>;
  /** Creates a collection without a prompt through gnome-keyring's test interface; resolves with its path. */
  createCollection(label: string): Promise<string>;
  /** A plain session on the raw connection (opened on first use). */
  session(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a private bus (no service files, so nothing is activatable) and, with `keyring`, a
 * gnome-keyring-daemon unlocked with KEYRING_PASSWORD, in a fresh HOME / XDG_DATA_HOME /
 * XDG_RUNTIME_DIR (0700).
 */
export async function startTestBus(options: { keyring: boolean }): Promise<TestBus> {
  const root = await mkdtemp(join(tmpdir(), 'vault-ss-'));
  const runtime = join(root, 'run');
  await mkdir(runtime, { mode: 0o700 });
  await mkdir(join(root, 'data'));
  await mkdir(join(root, 'home'));
  const children: ChildProcess[] = [];
  let bus: dbus.MessageBus | undefined;
  const stop = async () => {
    bus?.disconnect();
    for (const child of children.reverse()) await stopChild(child);
    await rm(root, { recursive: true, force: true });
  };
  try {
    const { address, daemon } = await startPrivateBus(root, { eavesdrop: true });
    children.push(daemon);
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: join(root, 'home'),
      XDG_DATA_HOME: join(root, 'data'),
      XDG_RUNTIME_DIR: runtime,
      DBUS_SESSION_BUS_ADDRESS: address,
    };
    const connected = dbus.sessionBus({ busAddress: address });
    bus = connected;
    connected.on('error', () => {});
    const call = async (destination: string, path: string, iface: string, member: string, signature = '', body: unknown[] = []) => {
      const reply = await connected.call(new dbus.Message({ destination, path, interface: iface, member, signature, body }));
      return reply?.body ?? [];
    };
    if (options.keyring) {
      const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
      children.push(keyring);
      keyring.stdin?.end(KEYRING_PASSWORD);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [owned] = await call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'NameHasOwner', 's', [SERVICE]);
        if (owned === true) break;
        if (Date.now() > deadline) throw new Error('gnome-keyring-daemon did not appear on the test bus');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    let session: Promise<string> | undefined;
    const openSession = () => {
      session ??= call(SERVICE, SERVICE_PATH, 'org.freedesktop.Secret.Service', 'OpenSession', 'sv', ['plain', new dbus.Variant('s', '')]).then(([, path]) => String(path));
      return session;
    };
    return {
      address,
      env,
      bus: connected,
      call,
      session: openSession,
      async createCollection(label) {
        const [path] = await call(SERVICE, SERVICE_PATH, 'org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface', 'CreateWithMasterPassword', 'a{sv}(oayays)', [
          { 'org.freedesktop.Secret.Collection.Label': new dbus.Variant('s', label) },
          [await openSession(), Buffer.alloc(0), Buffer.from(KEYRING_PASSWORD), 'text/plain'],
        ]);
        return String(path);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A backend context on `env` that must never ask for a passphrase. */
export function contextFor(env: Record<string, string | undefined>, debug: (line: string) => void = () => {}): BackendContext {
  return {
    env,
    homeDir: env['HOME'] ?? tmpdir(),
    askPassphrase: async () => {
      throw new Error('the secret-service backend must not ask for a passphrase');
    },
    debug,
  };
}
