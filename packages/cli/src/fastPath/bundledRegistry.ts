import backendFile from '@awsvault/plugin-backend-file/hook';
import backendKeychain from '@awsvault/plugin-backend-keychain/hook';
import backendWincred from '@awsvault/plugin-backend-wincred/hook';
import backendSecretService from '@awsvault/plugin-backend-secret-service/hook';
import promptTerminal from '@awsvault/plugin-prompt-terminal/hook';
import promptKdialog from '@awsvault/plugin-prompt-kdialog/hook';
import promptOsascript from '@awsvault/plugin-prompt-osascript/hook';
import promptYkman from '@awsvault/plugin-prompt-ykman/hook';
import promptZenity from '@awsvault/plugin-prompt-zenity/hook';
import sourceProcess from '@awsvault/plugin-source-process/hook';
import sourceSso from '@awsvault/plugin-source-sso/hook';
import sourceWebIdentity from '@awsvault/plugin-source-web-identity/hook';
import type { BackendDefinition, PromptDefinition, SourceDefinition } from '@awsvault/core';
import { isDefinition, type Registry } from '../registry.js';
import type { UserHook } from './userPluginHooks.js';

/**
 * The hooks of the plugins the CLI bundles (its `oclif.plugins` entries under @awsvault), called
 * directly so the fast path gets the same definitions oclif's hook run would give, without oclif.
 * A unit test keeps this list equal to package.json.
 */
export const BUNDLED_HOOKS: Record<string, () => Promise<BackendDefinition | PromptDefinition | SourceDefinition>> = {
  '@awsvault/plugin-backend-wincred': backendWincred,
  '@awsvault/plugin-backend-keychain': backendKeychain,
  '@awsvault/plugin-backend-secret-service': backendSecretService,
  '@awsvault/plugin-backend-file': backendFile,
  '@awsvault/plugin-prompt-terminal': promptTerminal,
  '@awsvault/plugin-prompt-kdialog': promptKdialog,
  '@awsvault/plugin-prompt-osascript': promptOsascript,
  '@awsvault/plugin-prompt-ykman': promptYkman,
  '@awsvault/plugin-prompt-zenity': promptZenity,
  '@awsvault/plugin-source-process': sourceProcess,
  '@awsvault/plugin-source-sso': sourceSso,
  '@awsvault/plugin-source-web-identity': sourceWebIdentity,
};

/**
 * The registry oclif's hook run would give: the bundled plugins' definitions, then those of the
 * user's plugins (imported from their own folders). Undefined, for oclif to report, when a user
 * hook fails, returns something that is not a definition, or claims a name already taken.
 */
export async function bundledRegistry(userHooks: readonly UserHook[] = []): Promise<Registry | undefined> {
  const registry: Registry = { backends: new Map(), prompts: new Map(), sources: new Map(), owners: new Map() };
  const hooks: Array<[string, () => Promise<unknown>]> = Object.entries(BUNDLED_HOOKS);
  for (const { owner, file } of userHooks) {
    hooks.push([owner, async () => ((await import(file)) as { default?: () => Promise<unknown> }).default?.()]);
  }
  for (const [owner, hook] of hooks) {
    let definition: unknown;
    try {
      definition = await hook();
    } catch {
      return undefined;
    }
    const kind = (definition as { kind?: unknown } | undefined)?.kind;
    if ((kind !== 'backend' && kind !== 'prompt' && kind !== 'source') || !isDefinition(definition, kind)) return undefined;
    const id = `${definition.kind}:${definition.name}`;
    if (registry.owners.has(id) && registry.owners.get(id) !== owner) return undefined;
    registry.owners.set(id, owner);
    if (definition.kind === 'backend') registry.backends.set(definition.name, definition);
    else if (definition.kind === 'prompt') registry.prompts.set(definition.name, definition);
    else registry.sources.set(definition.name, definition);
  }
  return registry;
}
