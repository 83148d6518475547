import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import hook from './hooks/prompt.js';
import * as index from './index.js';
import { dialogPromptSuite, promptContext, rejectsWithVaultError, TEST_MFA_SERIAL as SERIAL } from '@awsvault/core/testing';
import { answerDialog, displayToolsMissing, startXvfb, type VirtualDisplay } from '@awsvault/core/testing';

// Exact argv and the error paths through a fake zenity (a script records what it was given) ...
dialogPromptSuite({
  program: 'zenity',
  why: 'records the exact argv; the real zenity is tested under Xvfb below',
  hook,
  expectedArgs: (serial) => ['--entry', '--title', 'aws-vault', '--text', `Enter MFA code for ${serial}: `],
  availableHere: true,
  needsDisplay: true,
});

// ... and the real zenity on a virtual X display, answered with xdotool as a user would.
const ZENITY = '/usr/bin/zenity';
const skip = displayToolsMissing(ZENITY);

describe('the real zenity under Xvfb', { skip }, () => {
  let x: VirtualDisplay;
  before(async () => {
    x = await startXvfb();
  });
  after(async () => x?.close());

  const env = () => ({ PATH: '/usr/bin:/bin', DISPLAY: x.display, NO_AT_BRIDGE: '1' });

  it('shows a dialog titled aws-vault and returns the typed code', { timeout: 60_000 }, async () => {
    const definition = await hook();
    assert.equal(await definition.isAvailable?.(promptContext(env())), true);
    const answer = definition.prompt(SERIAL, promptContext(env()));
    const title = await answerDialog(x.display, 'aws-vault', ' 246810 ');
    assert.equal(title, 'aws-vault');
    assert.equal(await answer, '246810');
  });

  it('Escape cancels: PROMPT_CANCELLED naming the device', { timeout: 60_000 }, async () => {
    const definition = await hook();
    const outcome = rejectsWithVaultError(definition.prompt(SERIAL, promptContext(env())), 'PROMPT_CANCELLED', new RegExp(`^MFA code entry for ${SERIAL} was cancelled in zenity`));
    await answerDialog(x.display, 'aws-vault', '', 'Escape');
    await outcome;
  });

  it('a dialog left unanswered is closed after the timeout: PROMPT_TIMEOUT', { timeout: 60_000 }, async () => {
    const started = Date.now();
    await rejectsWithVaultError(index.zenityPrompt(SERIAL, promptContext(env()), { timeoutMs: 1_500 }), 'PROMPT_TIMEOUT', new RegExp(SERIAL));
    assert.ok(Date.now() - started < 10_000);
  });

  it('without a display zenity fails at once: PROMPT_CANCELLED with its complaint', { timeout: 60_000 }, async () => {
    await rejectsWithVaultError(index.zenityPrompt(SERIAL, promptContext({ PATH: '/usr/bin:/bin', DISPLAY: ':9999' })), 'PROMPT_CANCELLED', /cannot open display/);
  });
});
