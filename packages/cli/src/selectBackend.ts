import { isVaultError, VaultError, type Backend, type BackendContext, type DebugLogger } from '@awsvault/core';
import type { Registry } from './registry.js';

/** aws-vault's platform order; `file` always last, plugin backends we do not know before it. */
const ORDER = ['wincred', 'keychain', 'secret-service', 'kwallet', 'pass', 'file'];

/**
 * Opens the backend named by `--backend` / `AWS_VAULT_BACKEND`, or else the first available one in
 * aws-vault's order, logging why each earlier one was skipped (aws-vault never falls back, #670).
 */
export async function selectBackend(registry: Registry, requested: string | undefined, ctx: BackendContext, debug: DebugLogger): Promise<Backend> {
  if (requested) {
    const definition = registry.backends.get(requested);
    if (!definition) {
      throw new VaultError('BACKEND_UNKNOWN', `backend ${requested} is not installed (installed: ${[...registry.backends.keys()].sort().join(', ') || 'none'})`, {
        hint: `vault plugins install backend-${requested}`,
      });
    }
    debug(`using backend ${requested} (requested)`);
    return definition.open(ctx);
  }
  const names = [...registry.backends.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of names) {
    const definition = registry.backends.get(name);
    if (!definition) continue;
    if (definition.isAvailable && !(await definition.isAvailable(ctx))) {
      debug(`skipping backend ${name}: not available here`);
      continue;
    }
    try {
      const backend = await definition.open(ctx);
      debug(`using backend ${name}`);
      return backend;
    } catch (error) {
      if (isVaultError(error) && error.code === 'BACKEND_UNAVAILABLE') {
        debug(`skipping backend ${name}: ${error.message}`);
        continue;
      }
      throw error;
    }
  }
  throw new VaultError('BACKEND_UNAVAILABLE', 'no secret backend is available', { hint: 'install one with `vault plugins install backend-<name>` or pass --backend' });
}

function rank(name: string): number {
  const index = ORDER.indexOf(name);
  if (index >= 0) return index;
  return ORDER.length - 1.5; // unknown plugin backends: after the OS stores, before file
}
