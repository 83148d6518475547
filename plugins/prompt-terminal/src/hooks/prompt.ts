import { definePrompt, hasTerminal } from '@awsvault/core';

/**
 * `vault:prompt` hook: the `terminal` MFA prompt. Interactive, so automatic selection skips it when
 * there is no controlling terminal. The prompt code is loaded only when a code is actually asked for.
 */
export default definePrompt({
  name: 'terminal',
  interactive: true,
  isAvailable: () => hasTerminal(),
  prompt: async (mfaSerial, ctx) => (await import('../terminalPrompt.js')).terminalPrompt(mfaSerial, ctx),
});
