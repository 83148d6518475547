import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostAllowed, isLoopbackAddress, loopbackHosts, METADATA_HOSTS, printable } from './hostCheck.js';

describe('hostCheck', () => {
  it('allows exactly 127.0.0.1:<port> and localhost:<port> (any case) for a loopback listener', () => {
    const allowed = loopbackHosts(41234);
    for (const host of ['127.0.0.1:41234', 'localhost:41234', 'LOCALHOST:41234']) assert.equal(hostAllowed(host, allowed), true, host);
    for (const host of [undefined, '', '127.0.0.1', 'localhost', '127.0.0.1:41235', 'evil.example:41234', 'evil.example', '127.0.0.2:41234',
      '[::1]:41234', '127.0.0.1:41234.evil.example', ' 127.0.0.1:41234', '127.0.0.1:041234', 'x'.repeat(400)]) {
      assert.equal(hostAllowed(host, allowed), false, String(host));
    }
  });

  it('allows the metadata IP with or without :80', () => {
    assert.equal(hostAllowed('169.254.169.254', METADATA_HOSTS), true);
    assert.equal(hostAllowed('169.254.169.254:80', METADATA_HOSTS), true);
    assert.equal(hostAllowed('169.254.169.254:8080', METADATA_HOSTS), false);
    assert.equal(hostAllowed('169.254.169.254.nip.io', METADATA_HOSTS), false);
  });

  it('knows loopback peers', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(a), true, a);
    for (const a of [undefined, '', '10.0.0.1', '169.254.169.254', '::ffff:10.0.0.1', '::2', '1127.0.0.1', '127.0.0.1.5']) assert.equal(isLoopbackAddress(a), false, String(a));
  });

  it('makes header values safe to echo', () => {
    assert.equal(printable('evil\r\nX: y'), 'evil??X: y');
    assert.equal(printable('é'), '?');
    assert.equal(printable('a'.repeat(300)).length, 101);
    assert.equal(printable(undefined), '');
  });
});
