import { defineBackend } from '@awsvault/core';
import type { BackendContext } from '@awsvault/core';

/** True when pass is installed (or AWS_VAULT_PASS_CMD resolves) and the store has a `.gpg-id`. */
async function isAvailable(ctx: BackendContext): Promise<boolean> {
  return (await import('../settings.js')).isPassAvailable(ctx);
}

/** The `vault:backend` hook: declares the `pass` backend; its code loads only when it is used. */
export default defineBackend({
  name: 'pass',
  isAvailable,
  open: async (ctx) => (await import('../passBackend.js')).openPassBackend(ctx),
});
