import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { browserArgs, chromeProfileDir, CONTAINER_COLORS, containerColor, findBrowser, firefoxContainerUrl } from './browserLaunch.js';

const LOGIN = 'https://signin.aws.amazon.com/federation?Action=login&Issuer=aws-vault&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=tok';

test('firefoxContainerUrl: name, a stable color, icon and the URL, each percent-encoded', () => {
  const text = firefoxContainerUrl(LOGIN, 'prod admin&x');
  assert.ok(text.startsWith('ext+container:name=prod%20admin%26x&color='), text);
  const params = new URLSearchParams(text.slice('ext+container:'.length));
  assert.equal(params.get('name'), 'prod admin&x');
  assert.equal(params.get('icon'), 'fingerprint');
  assert.equal(params.get('url'), LOGIN, 'the login URL arrives whole, query included');
  assert.ok((CONTAINER_COLORS as readonly string[]).includes(params.get('color') ?? ''));
  assert.equal(containerColor('prod admin&x'), params.get('color'));
  assert.equal(firefoxContainerUrl(LOGIN, 'prod admin&x'), text, 'the same every time');
});

test('chromeProfileDir: one directory per profile under the data dir; odd names get a hash', () => {
  assert.equal(chromeProfileDir('/d', 'dev'), join('/d', 'browser-profiles', 'dev'));
  const slash = chromeProfileDir('/d', 'a/b');
  const underscore = chromeProfileDir('/d', 'a_b');
  assert.match(slash, /browser-profiles\/a_b-[0-9a-f]{8}$/);
  assert.notEqual(slash, underscore);
  assert.match(chromeProfileDir('/d', '..'), /browser-profiles\/_-[0-9a-f]{8}$/, 'never a parent directory');
});

test('browserArgs: the container URL for Firefox; user-data-dir and the URL for Chrome', () => {
  assert.deepEqual(browserArgs('firefox-container', LOGIN, 'dev', '/d'), [firefoxContainerUrl(LOGIN, 'dev')]);
  assert.deepEqual(browserArgs('chrome-profile', LOGIN, 'dev', '/d'), [`--user-data-dir=${join('/d', 'browser-profiles', 'dev')}`, '--no-first-run', '--no-default-browser-check', LOGIN]);
});

test('findBrowser: --browser-path, then PATH in order, else a one-line error', { skip: process.platform === 'win32' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-browser-'));
  try {
    assert.equal(findBrowser('chrome-profile', { PATH: dir }, { browserPath: '/opt/x/chrome' }), '/opt/x/chrome');
    assert.throws(() => findBrowser('chrome-profile', { PATH: dir }, { platform: 'linux' }), { code: 'BROWSER_NOT_FOUND', message: 'no browser for --browser chrome-profile: none of google-chrome, google-chrome-stable, chromium, chromium-browser is on PATH' });
    for (const name of ['chromium', 'firefox-esr']) {
      writeFileSync(join(dir, name), '#!/bin/sh\n');
      chmodSync(join(dir, name), 0o755);
    }
    assert.equal(findBrowser('chrome-profile', { PATH: dir }), join(dir, 'chromium'));
    assert.equal(findBrowser('firefox-container', { PATH: dir }), join(dir, 'firefox-esr'));
    assert.equal(findBrowser('chrome-profile', { PATH: join(dir, 'none') }, { platform: 'darwin', exists: (p) => p.includes('Chromium.app') }), '/Applications/Chromium.app/Contents/MacOS/Chromium');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
