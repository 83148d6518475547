import { definePrompt } from '@awsvault/core';

/**
 * `vault:prompt` hook: the `zenity` MFA prompt, a GTK dialog. Not interactive (it needs a display,
 * not a terminal), so automatic selection may choose it when stdout is not a terminal. It is
 * available when zenity is on PATH; its code loads only when it is asked something.
 */
export default definePrompt({
  name: 'zenity',
  isAvailable: async (ctx) => (await import('../zenityPrompt.js')).zenityAvailable(ctx),
  prompt: async (mfaSerial, ctx) => (await import('../zenityPrompt.js')).zenityPrompt(mfaSerial, ctx),
});
