import { Config } from '@oclif/core';
import { silentLogger } from '@awsvault/core';
import { loadRegistry, type Registry } from '../registry.js';
import type { PluginValues } from './valuesCache.js';

/**
 * Loads oclif's config (the CLI's plugins and the user's installed and linked ones) and runs the
 * `vault:backend` and `vault:prompt` hooks. Imported only when the completion cache is stale.
 */
export async function loadPluginValues(cliRoot: string): Promise<PluginValues> {
  const config = await Config.load(cliRoot);
  return valuesOf(await loadRegistry(config, silentLogger, ['backend', 'prompt']));
}

export function valuesOf(registry: Pick<Registry, 'backends' | 'prompts'>): PluginValues {
  return { backends: [...registry.backends.keys()].sort(), prompts: [...registry.prompts.keys()].sort() };
}
