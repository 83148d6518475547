import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { notificationCommand, notifyDesktop } from './notifyDesktop.js';

const skip = process.platform === 'win32' ? 'POSIX shell scripts' : false;

function fakeBin(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
}

test('notificationCommand: notify-send on Linux, osascript with the texts as arguments on macOS, nothing without them', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-notify-'));
  try {
    assert.equal(notificationCommand('s', 'b', { PATH: dir }, 'linux'), undefined);
    fakeBin(dir, 'notify-send', 'exit 0');
    fakeBin(dir, 'osascript', 'exit 0');
    assert.deepEqual(notificationCommand('S "x"', 'B', { PATH: dir }, 'linux'), { command: join(dir, 'notify-send'), args: ['--app-name=vault', '--urgency=normal', '--', 'S "x"', 'B'] });
    const mac = notificationCommand('S "x"', 'B', { PATH: dir }, 'darwin');
    assert.equal(mac?.command, join(dir, 'osascript'));
    assert.deepEqual(mac?.args.slice(2), ['S "x"', 'B'], 'the texts are never part of the script');
    assert.doesNotMatch(mac?.args[1] ?? '', /S "x"/);
    assert.equal(notificationCommand('s', 'b', { PATH: dir }, 'win32'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('notifyDesktop runs the notifier, reports failure, and gives up on one that hangs within about 2 s', { skip, timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-notify-'));
  try {
    const log = join(dir, 'argv');
    fakeBin(dir, 'notify-send', `printf '%s|' "$@" > '${log}'`);
    assert.equal(await notifyDesktop('Summary', 'Body', { env: { PATH: dir }, platform: 'linux' }), true);
    assert.equal(readFileSync(log, 'utf8'), '--app-name=vault|--urgency=normal|--|Summary|Body|');
    fakeBin(dir, 'notify-send', 'exit 3');
    assert.equal(await notifyDesktop('s', 'b', { env: { PATH: dir }, platform: 'linux' }), false);
    fakeBin(dir, 'notify-send', 'exec sleep 30');
    const started = Date.now();
    assert.equal(await notifyDesktop('s', 'b', { env: { PATH: dir }, platform: 'linux' }), false);
    assert.ok(Date.now() - started < 4_000, `took ${Date.now() - started} ms`);
    assert.equal(await notifyDesktop('s', 'b', { env: { PATH: join(dir, 'none') }, platform: 'linux' }), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
