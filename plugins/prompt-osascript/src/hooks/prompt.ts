import { definePrompt } from '@awsvault/core';

/**
 * `vault:prompt` hook: the `osascript` MFA prompt, a macOS dialog. Not interactive (it needs the
 * desktop, not a terminal), so automatic selection may choose it when stdout is not a terminal. It
 * is available on macOS when osascript is on PATH; its code loads only when it is asked something.
 */
export default definePrompt({
  name: 'osascript',
  isAvailable: async (ctx) => (await import('../osascriptPrompt.js')).osascriptAvailable(ctx),
  prompt: async (mfaSerial, ctx) => (await import('../osascriptPrompt.js')).osascriptPrompt(mfaSerial, ctx),
});
