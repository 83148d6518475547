import assert from 'node:assert/strict';
import { test } from 'node:test';
import hook from './hooks/prompt.js';
import * as index from './index.js';
import { dialogSuite } from './dialogSuite.test.util.js';

// A fake kdialog: CI machines have no KDE session to show a real one in.
dialogSuite({
  program: 'kdialog',
  why: 'CI has no KDE session, so a script stands in for kdialog',
  hook,
  expectedArgs: (serial) => ['--inputbox', `Enter MFA code for ${serial}: `, '--title', 'aws-vault'],
  availableHere: true,
});

test('the package exports the kdialog prompt and its argv', () => {
  assert.equal(typeof index.kdialogPrompt, 'function');
  assert.deepEqual(index.kdialogArgs('S'), ['--inputbox', 'Enter MFA code for S: ', '--title', 'aws-vault']);
  assert.equal(index.DEFAULT_PROMPT_TIMEOUT_MS, 120_000);
});
