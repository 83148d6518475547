/**
 * A desktop notification server for whole-CLI tests: a private dbus-daemon (no service files, so
 * nothing else can be activated on it) and, on that bus, org.freedesktop.Notifications implemented
 * with dbus-next in the test process. The real `notify-send` (libnotify) delivers to it, so a test
 * sees what a desktop would show.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ReceivedNotification {
  appName: string;
  summary: string;
  body: string;
}

export interface NotificationServer {
  /** DBUS_SESSION_BUS_ADDRESS of the private bus. */
  address: string;
  received: ReceivedNotification[];
  stop(): Promise<void>;
}

const busConfig = (socketDir: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${socketDir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end >= 0) resolve(buffer.slice(0, end).trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code}) before printing its address`)));
  });
}

export async function startNotificationServer(): Promise<NotificationServer> {
  const root = mkdtempSync(join(tmpdir(), 'vault-notify-bus-'));
  writeFileSync(join(root, 'bus.conf'), busConfig(root));
  const daemon = spawn('dbus-daemon', [`--config-file=${join(root, 'bus.conf')}`, '--print-address', '--nofork'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await firstLine(daemon);
  // Loaded here only: dbus-next is a heavy module and only this test needs it.
  const dbus = (await import('dbus-next')).default;
  const received: ReceivedNotification[] = [];

  class Notifications extends dbus.interface.Interface {
    Notify(appName: string, _replacesId: number, _icon: string, summary: string, body: string): number {
      received.push({ appName, summary, body });
      return received.length;
    }
    GetCapabilities(): string[] {
      return ['body'];
    }
    GetServerInformation(): string[] {
      return ['vault-e2e', 'vault', '1', '1.2'];
    }
    CloseNotification(): void {}
  }
  Notifications.configureMembers({
    methods: {
      Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' },
      GetCapabilities: { inSignature: '', outSignature: 'as' },
      GetServerInformation: { inSignature: '', outSignature: 'ssss' },
      CloseNotification: { inSignature: 'u', outSignature: '' },
    },
  });

  const bus = dbus.sessionBus({ busAddress: address });
  bus.export('/org/freedesktop/Notifications', new Notifications('org.freedesktop.Notifications'));
  await bus.requestName('org.freedesktop.Notifications', 0);
  return {
    address,
    received,
    stop: async () => {
      bus.disconnect();
      await new Promise<void>((resolve) => {
        if (daemon.exitCode !== null) return resolve();
        daemon.once('exit', () => resolve());
        daemon.kill('SIGTERM');
      });
      rmSync(root, { recursive: true, force: true });
    },
  };
}
