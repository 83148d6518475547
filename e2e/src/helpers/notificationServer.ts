/**
 * A desktop notification server for whole-CLI tests: a private dbus-daemon (no service files, so
 * nothing else can be activated on it) and, on that bus, org.freedesktop.Notifications implemented
 * with dbus-next in the test process. The real `notify-send` (libnotify) delivers to it, so a test
 * sees what a desktop would show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrivateBus, stopChild } from '@awsvault/core/testing';

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

export async function startNotificationServer(): Promise<NotificationServer> {
  const root = mkdtempSync(join(tmpdir(), 'vault-notify-bus-'));
  const { address, daemon } = await startPrivateBus(root);
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
      await stopChild(daemon);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
