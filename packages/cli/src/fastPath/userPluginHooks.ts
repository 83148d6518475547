import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { oclifDirs } from '../completion/valuesCache.js';

/** A `vault:*` hook of a plugin the user installed or linked: its package name and the file to import. */
export interface UserHook {
  owner: string;
  file: string;
}

const VAULT_HOOKS = new Set(['vault:backend', 'vault:prompt', 'vault:source']);

/**
 * The hook files of the plugins `vault plugins install|link` added (listed in oclif's data dir
 * package.json), so the fast path can call them as oclif would; undefined when the fast path must
 * step aside: a plugin with hooks on other events (an `init` or `prerun` hook could change what
 * any command does), plugins of plugins, a hook path it cannot find, or a list it cannot read.
 */
export function userPluginHooks(env: Readonly<Record<string, string | undefined>>): UserHook[] | undefined {
  const { dataDir } = oclifDirs(env);
  let plugins: unknown[];
  try {
    const pjson = JSON.parse(readFileSync(join(dataDir, 'package.json'), 'utf8')) as { oclif?: { plugins?: unknown[] } };
    plugins = pjson.oclif?.plugins ?? [];
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? [] : undefined;
  }
  const hooks: UserHook[] = [];
  for (const entry of plugins) {
    const root = pluginRoot(entry, dataDir);
    if (!root) return undefined;
    let manifest: { name?: unknown; oclif?: { hooks?: Record<string, unknown>; plugins?: unknown[] } };
    try {
      manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    } catch {
      return undefined;
    }
    if (typeof manifest.name !== 'string' || (manifest.oclif?.plugins?.length ?? 0) > 0) return undefined;
    for (const [event, target] of Object.entries(manifest.oclif?.hooks ?? {})) {
      if (!VAULT_HOOKS.has(event)) return undefined;
      for (const path of Array.isArray(target) ? target : [target]) {
        if (typeof path !== 'string') return undefined;
        const file = [resolve(root, path), resolve(root, `${path}.js`)].find((candidate) => candidate.endsWith('.js') && existsSync(candidate));
        if (!file) return undefined;
        hooks.push({ owner: manifest.name, file: pathToFileURL(file).href });
      }
    }
  }
  return hooks;
}

/** Where oclif finds a plugin of its data dir's list: a linked folder, or the data dir's node_modules. */
function pluginRoot(entry: unknown, dataDir: string): string | undefined {
  if (typeof entry === 'string') return join(dataDir, 'node_modules', entry);
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { type, name, root } = entry as { type?: unknown; name?: unknown; root?: unknown };
  if (type === 'link') return typeof root === 'string' && isAbsolute(root) ? root : undefined;
  if (type === 'user' && typeof name === 'string') return join(dataDir, 'node_modules', name);
  return undefined;
}
