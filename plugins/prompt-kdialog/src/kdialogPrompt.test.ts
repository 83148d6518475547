import assert from 'node:assert/strict';
import { test } from 'node:test';
import hook from './hooks/prompt.js';
import * as index from './index.js';
import { dialogPromptSuite } from '@awsvault/core/testing';

// A fake kdialog: CI machines have no KDE session to show a real one in.
dialogPromptSuite({
  program: 'kdialog',
  why: 'CI has no KDE session, so a script stands in for kdialog',
  hook,
  expectedArgs: (serial) => ['--inputbox', `Enter MFA code for ${serial}: `, '--title', 'aws-vault'],
  availableHere: true,
  needsDisplay: true,
});

test('the package exports the kdialog prompt and its argv', () => {
  assert.equal(typeof index.kdialogPrompt, 'function');
  assert.deepEqual(index.kdialogArgs('S'), ['--inputbox', 'Enter MFA code for S: ', '--title', 'aws-vault']);
  assert.equal(index.DEFAULT_PROMPT_TIMEOUT_MS, 120_000);
});
