import { definePrompt } from '@awsvault/core';

/**
 * `vault:prompt` hook: the `kdialog` MFA prompt, a KDE input box. Not interactive (it needs a
 * display, not a terminal), so automatic selection may choose it when stdout is not a terminal. It
 * is available when kdialog is on PATH; its code loads only when it is asked something.
 */
export default definePrompt({
  name: 'kdialog',
  isAvailable: async (ctx) => (await import('../kdialogPrompt.js')).kdialogAvailable(ctx),
  prompt: async (mfaSerial, ctx) => (await import('../kdialogPrompt.js')).kdialogPrompt(mfaSerial, ctx),
});
