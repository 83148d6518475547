import type { Config } from '@oclif/core';
import { VaultError, type BackendDefinition, type DebugLogger, type PromptDefinition, type SourceDefinition } from '@awsvault/core';

type Definition = BackendDefinition | PromptDefinition | SourceDefinition;
type Kind = Definition['kind'];

/** Everything plugins contributed, keyed by name. */
export interface Registry {
  backends: Map<string, BackendDefinition>;
  prompts: Map<string, PromptDefinition>;
  sources: Map<string, SourceDefinition>;
  /** Which package registered each `<kind>:<name>`, for messages. */
  owners: Map<string, string>;
}

/**
 * Runs the `vault:backend`, `vault:prompt` and `vault:source` hooks of every installed plugin (ours
 * and third parties') and collects their definitions. A failing plugin is reported under --debug and
 * skipped so it cannot break other commands; two plugins claiming one name is an error naming both.
 */
export async function loadRegistry(config: Config, debug: DebugLogger, kinds: readonly Kind[] = ['backend', 'prompt', 'source']): Promise<Registry> {
  const registry: Registry = { backends: new Map(), prompts: new Map(), sources: new Map(), owners: new Map() };
  await Promise.all(
    kinds.map(async (kind) => {
      const result = await config.runHook(`vault:${kind}`, {}, 10_000, true);
      for (const failure of result.failures) {
        debug(`plugin ${failure.plugin.name}: its vault:${kind} hook failed: ${failure.error.message}`);
      }
      for (const { plugin, result: definition } of result.successes) {
        if (!isDefinition(definition, kind)) {
          debug(`plugin ${plugin.name}: its vault:${kind} hook returned no ${kind} definition; ignored`);
          continue;
        }
        const id = `${kind}:${definition.name}`;
        const owner = registry.owners.get(id);
        if (owner !== undefined && owner !== plugin.name) {
          throw new VaultError('PLUGIN_CONFLICT', `${kind} "${definition.name}" is registered by both ${owner} and ${plugin.name}`, {
            hint: `uninstall one of them with \`vault plugins uninstall <name>\``,
          });
        }
        registry.owners.set(id, plugin.name);
        if (definition.kind === 'backend') registry.backends.set(definition.name, definition);
        else if (definition.kind === 'prompt') registry.prompts.set(definition.name, definition);
        else registry.sources.set(definition.name, definition);
      }
    }),
  );
  return registry;
}

/** Whether a hook's result is a definition of that kind with a valid name. */
export function isDefinition(value: unknown, kind: Kind): value is Definition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v['kind'] !== kind || typeof v['name'] !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(v['name'])) return false;
  if (kind === 'backend') return typeof v['open'] === 'function';
  if (kind === 'prompt') return typeof v['prompt'] === 'function';
  return typeof v['matches'] === 'function' && typeof v['create'] === 'function' && typeof v['sessionType'] === 'string';
}
