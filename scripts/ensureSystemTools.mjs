#!/usr/bin/env node
// Checks the Debian tools the tests drive for real (the AWS CLI, gpg and pass, a Secret Service,
// a D-Bus session, a pty, a GUI prompt under a virtual display, a browser, a desktop notifier,
// openssl for test certificates, ip/unshare for a private network namespace, and the shells). As root it installs what is missing with apt-get; otherwise it stops
// with the exact command to run, so no test is ever skipped for a missing tool.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const TOOLS = [
  { path: '/usr/bin/aws', pkg: 'awscli' },
  { path: '/usr/bin/gpg', pkg: 'gnupg' },
  { path: '/usr/bin/pass', pkg: 'pass' },
  { path: '/usr/bin/gnome-keyring-daemon', pkg: 'gnome-keyring' },
  { path: '/usr/bin/secret-tool', pkg: 'libsecret-tools' },
  { path: '/usr/bin/dbus-run-session', pkg: 'dbus' },
  { path: '/usr/bin/script', pkg: 'bsdutils' },
  { path: '/usr/bin/python3', pkg: 'python3' },
  { path: '/usr/bin/zenity', pkg: 'zenity' },
  { path: '/usr/bin/Xvfb', pkg: 'xvfb' },
  { path: '/usr/bin/xdotool', pkg: 'xdotool' },
  { path: '/usr/bin/chromium', pkg: 'chromium' },
  { path: '/usr/bin/notify-send', pkg: 'libnotify-bin' },
  { path: '/usr/bin/openssl', pkg: 'openssl' },
  { path: '/usr/sbin/ip', pkg: 'iproute2' },
  { path: '/usr/bin/unshare', pkg: 'util-linux' },
  { path: '/usr/bin/zsh', pkg: 'zsh' },
  { path: '/usr/bin/fish', pkg: 'fish' },
  { path: '/usr/share/bash-completion/bash_completion', pkg: 'bash-completion' },
];

const missing = TOOLS.filter((tool) => !existsSync(tool.path)).map((tool) => tool.pkg);
if (missing.length === 0) process.exit(0);
const line = `apt-get install -y ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(`The tests need Debian packages that are missing: ${missing.join(', ')}.\nInstall them with:\n  sudo apt-get update && sudo ${line}`);
  process.exit(1);
}
console.error(`Installing missing test tools: ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env });
execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: ['ignore', 'inherit', 'inherit'], env });
