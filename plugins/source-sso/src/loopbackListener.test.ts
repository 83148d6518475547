import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listenForRedirect } from './loopbackListener.js';

describe('listenForRedirect', () => {
  it('listens on 127.0.0.1 and delivers the code of the redirect with the expected state only', async () => {
    const listener = await listenForRedirect({ state: 'expected' });
    try {
      assert.match(listener.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
      assert.equal((await fetch(`${listener.redirectUri}?code=c&state=other`)).status, 400);
      assert.equal((await fetch(`${listener.redirectUri}?code=c`)).status, 400, 'no state');
      assert.equal((await fetch(`${listener.redirectUri}/../x`)).status, 404);
      assert.equal((await fetch(listener.redirectUri, { method: 'POST', body: 'code=c&state=expected' })).status, 404);
      const ok = await fetch(`${listener.redirectUri}?code=the-code&state=expected`);
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /You can close this tab/);
      assert.deepEqual(await listener.result(1000), { code: 'the-code' });
      assert.equal((await fetch(`${listener.redirectUri}?code=again&state=expected`)).status, 200, 'a repeat is answered, not used');
      assert.deepEqual(await listener.result(1000), { code: 'the-code' });
    } finally {
      await listener.close();
    }
  });

  it('delivers an OAuth error with the expected state, HTML-escaped on the page', async () => {
    const listener = await listenForRedirect({ state: 's' });
    try {
      const waiting = listener.result(1000);
      const page = await fetch(`${listener.redirectUri}?error=%3Cscript%3E&error_description=no&state=s`);
      assert.doesNotMatch(await page.text(), /<script>/);
      assert.deepEqual(await waiting, { error: '<script>', description: 'no' });
    } finally {
      await listener.close();
    }
  });

  it('rejects when nothing arrives in time', async () => {
    const listener = await listenForRedirect({ state: 's' });
    try {
      await assert.rejects(listener.result(20), /timeout/);
    } finally {
      await listener.close();
    }
  });
});
