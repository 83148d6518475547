/**
 * A private D-Bus session bus for tests: a dbus-daemon of its own, with no service files (so nothing
 * else can be activated on it), listening in a directory the test owns. Needs Debian's `dbus`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A running private bus. @public */
export interface PrivateBus {
  /** DBUS_SESSION_BUS_ADDRESS of the bus. */
  address: string;
  daemon: ChildProcess;
}

const busConfig = (socketDir: string, eavesdrop: boolean) => {
  const watch = eavesdrop ? ' eavesdrop="true"' : '';
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${socketDir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"${watch}/>
    <allow receive_sender="*"/>${eavesdrop ? '\n    <allow eavesdrop="true"/>' : ''}
    <allow own="*"/>
  </policy>
</busconfig>
`;
};

/**
 * Starts dbus-daemon with its socket and config in `root` (which must exist); resolves once it
 * prints its address. `eavesdrop` lets a test connection watch every message on the bus. @public
 */
export async function startPrivateBus(root: string, options: { eavesdrop?: boolean } = {}): Promise<PrivateBus> {
  writeFileSync(join(root, 'bus.conf'), busConfig(root, options.eavesdrop === true));
  const daemon = spawn('dbus-daemon', [`--config-file=${join(root, 'bus.conf')}`, '--print-address', '--nofork'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    daemon.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end >= 0) resolve(buffer.slice(0, end).trim());
    });
    daemon.once('error', reject);
    daemon.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code}) before printing its address`)));
  });
  return { address, daemon };
}

/** Ends a child with SIGTERM (SIGKILL after 2 s) and resolves when it is gone. @public */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
