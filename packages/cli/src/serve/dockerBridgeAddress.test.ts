import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, it } from 'node:test';
import { dockerBridgeAddress } from './dockerBridgeAddress.js';

const v4 = (address: string): NetworkInterfaceInfo => ({ address, netmask: '255.255.0.0', family: 'IPv4', mac: '02:42:00:00:00:00', internal: false, cidr: `${address}/16` });
const v6: NetworkInterfaceInfo = { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:42:00:00:00:00', internal: false, cidr: 'fe80::1/64', scopeid: 3 };

describe('dockerBridgeAddress', () => {
  it('is the IPv4 address of docker0', () => {
    assert.equal(dockerBridgeAddress({ eth0: [v4('10.0.0.5')], docker0: [v6, v4('172.17.0.1')] }), '172.17.0.1');
  });
  it('is a one-line error without docker0 or without its IPv4 address', () => {
    assert.throws(() => dockerBridgeAddress({ eth0: [v4('10.0.0.5')] }), { code: 'SERVE_NO_DOCKER', message: '--docker: this machine has no docker0 network interface with an IPv4 address' });
    assert.throws(() => dockerBridgeAddress({ docker0: [v6] }), { code: 'SERVE_NO_DOCKER' });
  });
});
