import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertCanSignIn } from './signInGate.js';

const quiet = () => {};
const noTerminal = () => false;
const terminal = () => true;

async function refusal(promise: Promise<void>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string; hint?: string };
  }
  return assert.fail('expected a refusal');
}

describe('assertCanSignIn', () => {
  it('lets a sign-in through at a terminal, with a desktop, or with --stdout', async () => {
    await assertCanSignIn({ profileName: 'sso', env: {}, printOnly: false, debug: quiet, platform: 'linux', hasTerminal: terminal });
    await assertCanSignIn({ profileName: 'sso', env: { DISPLAY: ':0' }, printOnly: false, debug: quiet, platform: 'linux', hasTerminal: noTerminal });
    await assertCanSignIn({ profileName: 'sso', env: {}, printOnly: true, debug: quiet, platform: 'linux', hasTerminal: noTerminal });
  });

  it('refuses with no terminal, no desktop (or only over SSH) and no --stdout, in one line naming the profile', async () => {
    for (const env of [{ PATH: '' }, { PATH: '', DISPLAY: ':0', SSH_CONNECTION: '10.0.0.1 1 10.0.0.2 22' }]) {
      const error = await refusal(assertCanSignIn({ profileName: 'sso-dev', env, printOnly: false, debug: quiet, platform: 'linux', hasTerminal: noTerminal }));
      assert.equal(error.code, 'NON_INTERACTIVE');
      assert.equal(error.message, 'profile sso-dev needs an SSO login and no terminal is available');
      assert.equal(error.hint, 'run `vault login sso-dev` in a terminal');
    }
  });

  it('VAULT_NON_INTERACTIVE=1 refuses even at a terminal and with --stdout', async () => {
    const error = await refusal(assertCanSignIn({ profileName: 'sso', env: { VAULT_NON_INTERACTIVE: '1', PATH: '' }, printOnly: true, debug: quiet, platform: 'linux', hasTerminal: terminal }));
    assert.equal(error.code, 'NON_INTERACTIVE');
  });

  it('sends a desktop notification through notify-send when it is on PATH', { skip: process.platform === 'win32' }, async () => {
    // A stand-in notify-send recording its argv: the real one is exercised by e2e noTerminal.test.ts.
    const dir = mkdtempSync(join(tmpdir(), 'vault-gate-'));
    try {
      const log = join(dir, 'argv');
      writeFileSync(join(dir, 'notify-send'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\n`);
      chmodSync(join(dir, 'notify-send'), 0o755);
      await refusal(assertCanSignIn({ profileName: 'sso', env: { PATH: dir }, printOnly: false, debug: quiet, platform: 'linux', hasTerminal: noTerminal }));
      const argv = readFileSync(log, 'utf8').split('\n');
      assert.deepEqual(argv.slice(0, 4), ['--app-name=vault', '--urgency=normal', '--', 'vault: profile sso needs an SSO login']);
      assert.match(argv[4] ?? '', /vault login sso/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
