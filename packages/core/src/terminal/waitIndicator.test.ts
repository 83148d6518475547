import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startWaitIndicator } from './waitIndicator.js';

describe('startWaitIndicator', () => {
  it('writes nothing when the stream is not a terminal', () => {
    let text = '';
    startWaitIndicator({ write: (t: string) => (text += t) }, 'Waiting').stop();
    assert.equal(text, '');
  });

  it('redraws one line with the time waited and erases it on stop', async () => {
    let text = '';
    let now = 0;
    const indicator = startWaitIndicator({ write: (t: string) => (text += t), isTTY: true }, 'Waiting', { now: () => now, intervalMs: 5 });
    now = 65_000;
    await new Promise((resolve) => setTimeout(resolve, 20));
    indicator.stop();
    indicator.stop();
    assert.match(text, /^\r. Waiting 0:00\x1b\[K/);
    assert.match(text, /\r. Waiting 1:05\x1b\[K/);
    assert.ok(text.endsWith('\r\x1b[K'));
    assert.equal(text.split('\r\x1b[K').length, 2, 'erased once');
  });
});
