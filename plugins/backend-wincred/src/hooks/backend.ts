import { defineBackend } from '@awsvault/core';

/**
 * The `vault:backend` hook: declares the `wincred` backend (Windows Credential Manager). Off Windows
 * the availability check loads nothing; the backend's code loads only when it is probed or opened.
 */
export default defineBackend({
  name: 'wincred',
  isAvailable: async (ctx) => process.platform === 'win32' && (await import('../powershellWincred.js')).isWincredAvailable('win32', ctx.env),
  open: async (ctx) => (await import('../wincredBackend.js')).openWincredBackend(ctx),
});
