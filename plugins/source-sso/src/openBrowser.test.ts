import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserCommand, openBrowser } from './openBrowser.js';

const URL_WITH_AMP = 'https://x/authorize?a=1&b=2';

describe('openBrowser', () => {
  it('uses $BROWSER, else the platform opener, with the URL as one argument', () => {
    assert.deepEqual(browserCommand(URL_WITH_AMP, 'linux', { BROWSER: 'firefox:chromium' }), { command: 'firefox', args: [URL_WITH_AMP], verbatim: false });
    assert.deepEqual(browserCommand(URL_WITH_AMP, 'linux', {}), { command: 'xdg-open', args: [URL_WITH_AMP], verbatim: false });
    assert.deepEqual(browserCommand(URL_WITH_AMP, 'darwin', {}), { command: 'open', args: [URL_WITH_AMP], verbatim: false });
    assert.deepEqual(browserCommand(URL_WITH_AMP, 'win32', {}), { command: 'cmd.exe', args: ['/d', '/c', 'start', '""', `"${URL_WITH_AMP}"`], verbatim: true });
  });

  it('reports a missing opener without repeating the URL', async () => {
    const result = await openBrowser(URL_WITH_AMP, { env: { BROWSER: 'vault-no-such-browser', PATH: '/nonexistent' } });
    assert.deepEqual(result, { ok: false, reason: 'vault-no-such-browser was not found' });
  });

  it('reports an opener that fails', async () => {
    const result = await openBrowser(URL_WITH_AMP, { env: { BROWSER: 'false', PATH: process.env['PATH'] ?? '' } });
    assert.deepEqual(result, { ok: false, reason: 'false exited with code 1' });
    assert.deepEqual(await openBrowser(URL_WITH_AMP, { env: { BROWSER: 'true', PATH: process.env['PATH'] ?? '' } }), { ok: true });
  });
});
