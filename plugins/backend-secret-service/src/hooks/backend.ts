import { defineBackend } from '@awsvault/core';

/**
 * The `vault:backend` hook: declares the `secret-service` backend. Nothing D-Bus related loads
 * until it is probed or opened; without DBUS_SESSION_BUS_ADDRESS the probe loads nothing at all.
 */
export default defineBackend({
  name: 'secret-service',
  isAvailable: async (ctx) => {
    const address = ctx.env['DBUS_SESSION_BUS_ADDRESS'];
    if (address === undefined || address.trim() === '') {
      ctx.debug('secret-service: not available: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)');
      return false;
    }
    return (await import('../probe.js')).isSecretServiceAvailable(ctx);
  },
  open: async (ctx) => (await import('../secretServiceBackend.js')).openSecretServiceBackend(ctx),
});
