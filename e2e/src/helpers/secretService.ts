/**
 * A real Secret Service for whole-CLI tests: a private dbus-daemon (no service files, so nothing
 * else can be activated on it) and gnome-keyring-daemon on that bus, in a throw-away HOME and
 * XDG_DATA_HOME.
 *
 * The collection vault uses exists before the daemon starts: gnome-keyring loads every
 * `<XDG_DATA_HOME>/keyrings/*.keyring`, and a keyring written in its unencrypted text format
 * (what gnome-keyring itself writes for a keyring with an empty password) opens without a
 * password prompt. So no system prompter and no D-Bus client library are needed, only the real
 * daemons and their command-line tools (busctl, secret-tool) to look at the result independently.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPrivateBus, stopChild } from '@awsvault/core/testing';
import { run } from './run.js';

const SERVICE = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';

export interface SecretService {
  /** DBUS_SESSION_BUS_ADDRESS of the private bus. */
  address: string;
  /** The collection's label (AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME). */
  collection: string;
  /** What a vault call needs on top of a clean environment. */
  env: Record<string, string>;
  /** The labels of the collection's items, sorted, read with busctl. */
  labels(): Promise<string[]>;
  /** The secret of the item with attribute profile=<key>, read with secret-tool. */
  secret(key: string): Promise<string>;
  stop(): Promise<void>;
}

/** gnome-keyring's text keyring format: no password, never locks by itself. */
const plainKeyring = (label: string) =>
  `[keyring]\ndisplay-name=${label}\nctime=0\nmtime=0\nlock-on-idle=false\nlock-after=false\n`;

/** Parses busctl's `ao N "path" ...` / `s "text"` output. */
const quoted = (text: string): string[] => [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));

/** Starts the bus and the keyring below `root` (which must exist); `collection` is a plain label. */
export async function startSecretService(root: string, collection: string): Promise<SecretService> {
  if (!/^[A-Za-z0-9-]+$/.test(collection)) throw new Error('use a collection label that is also a file name');
  const runtime = join(root, 'run');
  const data = join(root, 'data');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  mkdirSync(join(data, 'keyrings'), { recursive: true, mode: 0o700 });
  mkdirSync(join(root, 'home'), { recursive: true });
  writeFileSync(join(data, 'keyrings', `${collection}.keyring`), plainKeyring(collection), { mode: 0o600 });

  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await stopChild(child);
  };
  try {
    const { address, daemon } = await startPrivateBus(root);
    children.push(daemon);
    const toolEnv: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: join(root, 'home'),
      XDG_DATA_HOME: data,
      XDG_RUNTIME_DIR: runtime,
      DBUS_SESSION_BUS_ADDRESS: address,
    };
    // --unlock reads a login-keyring password from stdin; the daemon runs in the foreground so it
    // stays our child and `stop` can end it.
    const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env: toolEnv, stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(keyring);
    keyring.stdin?.end('e2e login keyring password');

    const busctl = (...args: string[]) => run('busctl', [`--address=${address}`, ...args], toolEnv, 10_000);
    const getProperty = async (path: string, iface: string, name: string): Promise<string> => {
      const r = await busctl('get-property', SERVICE, path, iface, name);
      if (r.code !== 0) throw new Error(`busctl get-property ${path} ${name}: ${r.stderr.trim()}`);
      return r.stdout;
    };
    let collectionPath: string | undefined;
    const deadline = Date.now() + 10_000;
    while (collectionPath === undefined) {
      if (keyring.exitCode !== null) throw new Error(`gnome-keyring-daemon exited (${keyring.exitCode})`);
      const r = await busctl('get-property', SERVICE, SERVICE_PATH, 'org.freedesktop.Secret.Service', 'Collections');
      if (r.code === 0) {
        for (const path of quoted(r.stdout)) {
          if (quoted(await getProperty(path, 'org.freedesktop.Secret.Collection', 'Label'))[0] === collection) collectionPath = path;
        }
      }
      if (collectionPath === undefined) {
        if (Date.now() > deadline) throw new Error(`gnome-keyring-daemon did not offer collection ${collection}: ${r.stderr.trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const items = collectionPath;

    return {
      address,
      collection,
      env: { DBUS_SESSION_BUS_ADDRESS: address, AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME: collection },
      async labels() {
        const paths = quoted(await getProperty(items, 'org.freedesktop.Secret.Collection', 'Items'));
        const labels = await Promise.all(paths.map(async (path) => quoted(await getProperty(path, 'org.freedesktop.Secret.Item', 'Label'))[0] ?? ''));
        return labels.sort();
      },
      async secret(key) {
        const r = await run('secret-tool', ['lookup', 'profile', key], toolEnv, 10_000);
        if (r.code !== 0) throw new Error(`secret-tool lookup profile ${key} exited ${r.code}: ${r.stderr.trim()}`);
        return r.stdout;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
