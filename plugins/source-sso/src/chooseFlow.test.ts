import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseFlow } from './chooseFlow.js';

describe('chooseFlow', () => {
  it('follows AWS_VAULT_SSO_FLOW, in any case', () => {
    assert.deepEqual(chooseFlow({ AWS_VAULT_SSO_FLOW: 'PKCE' }, { stdout: true }), { flow: 'pkce', explicit: true, reason: 'AWS_VAULT_SSO_FLOW=pkce' });
    assert.equal(chooseFlow({ AWS_VAULT_SSO_FLOW: 'device', DISPLAY: ':0' }, { platform: 'linux' }).flow, 'device');
    assert.throws(() => chooseFlow({ AWS_VAULT_SSO_FLOW: 'browser' }), /AWS_VAULT_SSO_FLOW=browser is not a sign-in flow/);
  });

  it('picks PKCE where a local browser can be opened', () => {
    assert.equal(chooseFlow({}, { platform: 'darwin' }).flow, 'pkce');
    assert.equal(chooseFlow({}, { platform: 'win32' }).flow, 'pkce');
    assert.equal(chooseFlow({ DISPLAY: ':0' }, { platform: 'linux' }).flow, 'pkce');
    assert.equal(chooseFlow({ WAYLAND_DISPLAY: 'wayland-0' }, { platform: 'freebsd' }).flow, 'pkce');
    assert.equal(chooseFlow({ AWS_VAULT_SSO_FLOW: '' }, { platform: 'darwin' }).explicit, false);
  });

  it('picks the device flow with --stdout, over SSH, under WSL and without a display', () => {
    assert.equal(chooseFlow({}, { platform: 'darwin', stdout: true }).flow, 'device');
    assert.equal(chooseFlow({ SSH_CONNECTION: '10.0.0.1 1 10.0.0.2 22' }, { platform: 'darwin' }).flow, 'device');
    assert.equal(chooseFlow({ DISPLAY: ':0', WSL_DISTRO_NAME: 'Ubuntu' }, { platform: 'linux' }).flow, 'device');
    assert.match(chooseFlow({}, { platform: 'linux' }).reason, /no DISPLAY/);
  });
});
