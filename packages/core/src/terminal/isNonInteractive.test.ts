import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphicalSession, isNonInteractive, nonInteractiveRequested } from './isNonInteractive.js';

const yes = () => true;
const no = () => false;

test('VAULT_NON_INTERACTIVE=1 wins over a terminal and a desktop', () => {
  for (const value of ['1', 'true', 'YES', ' on ']) {
    assert.equal(nonInteractiveRequested({ VAULT_NON_INTERACTIVE: value }), true, value);
    assert.equal(isNonInteractive({ VAULT_NON_INTERACTIVE: value, DISPLAY: ':0' }, { hasTerminal: yes }), true, value);
  }
  for (const value of ['', '0', 'false', 'no']) assert.equal(nonInteractiveRequested({ VAULT_NON_INTERACTIVE: value }), false, value);
});

test('a terminal or a usable GUI makes it interactive; neither makes it non-interactive', () => {
  assert.equal(isNonInteractive({}, { hasTerminal: yes, gui: false }), false);
  assert.equal(isNonInteractive({}, { hasTerminal: no, gui: true }), false);
  assert.equal(isNonInteractive({}, { hasTerminal: no, gui: false }), true);
  assert.equal(isNonInteractive({ WAYLAND_DISPLAY: 'wayland-0' }, { hasTerminal: no, platform: 'linux' }), false);
  assert.equal(isNonInteractive({}, { hasTerminal: no, platform: 'linux' }), true);
});

test('graphicalSession: DISPLAY/WAYLAND_DISPLAY on Linux, not over SSH on macOS', () => {
  assert.equal(graphicalSession({ DISPLAY: ':1' }, 'linux'), true);
  assert.equal(graphicalSession({}, 'linux'), false);
  assert.equal(graphicalSession({}, 'darwin'), true);
  assert.equal(graphicalSession({ SSH_CONNECTION: 'a b c d' }, 'darwin'), false);
});
