import { defineBackend } from '@awsvault/core';

/**
 * The `vault:backend` hook: declares the `keychain` backend (macOS). Off macOS the availability
 * check loads nothing; the backend's code loads only when it is probed or opened.
 */
export default defineBackend({
  name: 'keychain',
  isAvailable: async () => process.platform === 'darwin' && (await import('../settings.js')).isKeychainAvailable(),
  open: async (ctx) => (await import('../keychainBackend.js')).openKeychainBackend(ctx),
});
