import { defineBackend } from '@awsvault/core';

/** The `vault:backend` hook: declares the `file` backend; its code loads only when opened. */
export default defineBackend({
  name: 'file',
  isAvailable: () => true,
  open: async (ctx) => (await import('../fileBackend.js')).openFileBackend(ctx),
});
