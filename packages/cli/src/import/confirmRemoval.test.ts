import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { confirmRemoval } from './confirmRemoval.js';

describe('confirmRemoval', () => {
  it('asks nobody with VAULT_NON_INTERACTIVE=1', async () => {
    assert.equal(await confirmRemoval('/c', ['dev'], { VAULT_NON_INTERACTIVE: '1' }), 'no-terminal');
  });

  it('answers no-terminal when the terminal device is not a terminal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-confirm-'));
    try {
      const notATty = join(dir, 'plain-file');
      writeFileSync(notATty, 'y\n');
      assert.equal(await confirmRemoval('/c', ['dev'], {}, { ttyPath: notATty }), 'no-terminal');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
