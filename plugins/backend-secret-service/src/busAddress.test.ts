import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseBusTransport, parseBusAddress, toDbusNextAddress } from './busAddress.js';

describe('D-Bus addresses', () => {
  it('parses entries and unescapes values', () => {
    const [first, second] = parseBusAddress('unix:path=/run/user/1000/bus,guid=abc;tcp:host=localhost,port=1234');
    assert.equal(first?.transport, 'unix');
    assert.equal(first?.params.get('path'), '/run/user/1000/bus');
    assert.equal(second?.params.get('port'), '1234');
    assert.equal(parseBusAddress('unix:path=/tmp/a%20b%2cc')[0]?.params.get('path'), '/tmp/a b,c');
  });

  it('picks the first entry Node can open', () => {
    assert.deepEqual(chooseBusTransport('unix:path=/run/user/1000/bus'), { transport: { kind: 'unix', path: '/run/user/1000/bus' } });
    assert.deepEqual(chooseBusTransport('unix:abstract=/tmp/dbus-x,guid=1;unix:path=/tmp/b'), { transport: { kind: 'unix', path: '/tmp/b' } });
    assert.deepEqual(chooseBusTransport('tcp:host=127.0.0.1,port=4000'), { transport: { kind: 'tcp', host: '127.0.0.1', port: 4000 } });
    assert.equal(toDbusNextAddress({ kind: 'unix', path: '/run/user/1000/bus' }), 'unix:socket=/run/user/1000/bus');
  });

  it('explains why no entry can be used', () => {
    const reason = (address: string) => {
      const choice = chooseBusTransport(address);
      return 'reason' in choice ? choice.reason : '';
    };
    assert.match(reason('unix:abstract=/tmp/dbus-x'), /unix:abstract/);
    assert.match(reason('autolaunch:'), /autolaunch/);
    assert.match(reason('unix:path=/tmp/a%3ab'), /containing ; : , or =/);
    assert.match(reason('garbage'), /no transport/);
    assert.match(reason('unix:path=/x%zz'), /bad %-escape/);
  });
});
