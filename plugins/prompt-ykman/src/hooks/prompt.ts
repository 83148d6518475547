import { definePrompt } from '@awsvault/core';

/**
 * `vault:prompt` hook: the `ykman` MFA prompt, a TOTP code read from a YubiKey. Not interactive (a
 * key that needs no touch works without a terminal), so automatic selection may choose it when
 * stdout is not a terminal. It is available when ykman is on PATH; its code loads only when used.
 */
export default definePrompt({
  name: 'ykman',
  isAvailable: async (ctx) => (await import('../ykmanPrompt.js')).ykmanAvailable(ctx),
  prompt: async (mfaSerial, ctx) => (await import('../ykmanPrompt.js')).ykmanPrompt(mfaSerial, ctx),
});
