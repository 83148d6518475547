import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openerFor, openUrl } from './openUrl.js';

const URL_WITH_SECRET = 'https://signin.example/federation?Action=login&SigninToken=s3cret%2Btoken';

describe('openerFor', () => {
  it('uses open on macOS, xdg-open on Linux and cmd start on Windows (URL quoted against &)', () => {
    assert.deepEqual(openerFor('darwin', 'u'), { command: 'open', args: ['u'], verbatim: false });
    assert.deepEqual(openerFor('linux', 'u'), { command: 'xdg-open', args: ['u'], verbatim: false });
    assert.deepEqual(openerFor('freebsd', 'u'), { command: 'xdg-open', args: ['u'], verbatim: false });
    assert.deepEqual(openerFor('win32', 'a&b'), { command: 'cmd.exe', args: ['/d', '/c', 'start', '""', '"a&b"'], verbatim: true });
  });
});

describe('openUrl', { skip: process.platform === 'win32' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-open-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('hands the URL to the opener found on PATH', async () => {
    const bin = join(dir, 'ok');
    const out = join(dir, 'opened.txt');
    const script = join(bin, 'xdg-open');
    mkdirSync(bin);
    writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > '${out}'\n`);
    chmodSync(script, 0o755);
    const result = await openUrl(URL_WITH_SECRET, { platform: 'linux', env: { PATH: bin } });
    assert.deepEqual(result, { ok: true });
    assert.equal(readFileSync(out, 'utf8'), URL_WITH_SECRET);
  });

  it('reports a missing opener without the URL', async () => {
    const result = await openUrl(URL_WITH_SECRET, { platform: 'linux', env: { PATH: join(dir, 'empty') } });
    assert.deepEqual(result, { ok: false, reason: 'xdg-open was not found' });
  });

  it('reports an opener that fails', async () => {
    const bin = join(dir, 'failing');
    mkdirSync(bin);
    writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\nexit 3\n');
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const result = await openUrl(URL_WITH_SECRET, { platform: 'linux', env: { PATH: bin } });
    assert.deepEqual(result, { ok: false, reason: 'xdg-open exited with code 3' });
  });
});
