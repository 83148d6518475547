import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** The installed backend and prompt names, as `vault __complete backends|prompts` prints them. */
export interface PluginValues {
  backends: string[];
  prompts: string[];
}

interface CacheFile extends PluginValues {
  fingerprint: string;
}

/** Bump when the cache file's shape changes. */
const CACHE_VERSION = 1;
const CACHE_NAME = 'completion-values.json';

/**
 * oclif's data and cache directories for the `vault` bin, computed as @oclif/core's Config does
 * (VAULT_DATA_DIR / VAULT_CACHE_DIR, ~/Library/Caches on macOS, XDG_*_HOME, LOCALAPPDATA), without
 * loading oclif.
 */
export function oclifDirs(env: Env, platform: NodeJS.Platform = process.platform): { dataDir: string; cacheDir: string } {
  const windows = platform === 'win32';
  const home = env['HOME'] || (windows && windowsHome(env)) || homedir() || tmpdir();
  const dir = (category: 'data' | 'cache') =>
    join(env[`XDG_${category.toUpperCase()}_HOME`] || (windows && env['LOCALAPPDATA']) || join(home, category === 'data' ? '.local/share' : '.cache'), 'vault');
  return {
    dataDir: env['VAULT_DATA_DIR'] || dir('data'),
    cacheDir: env['VAULT_CACHE_DIR'] || (platform === 'darwin' ? join(home, 'Library', 'Caches', 'vault') : dir('cache')),
  };
}

function windowsHome(env: Env): string | undefined {
  if (env['HOMEDRIVE'] && env['HOMEPATH']) return join(env['HOMEDRIVE'], env['HOMEPATH']);
  return env['USERPROFILE'] || undefined;
}

function mtime(path: string): string {
  try {
    const info = statSync(path);
    return `${info.mtimeMs}:${info.size}`;
  } catch {
    return '-';
  }
}

/**
 * What the backend and prompt lists depend on: the CLI (its version and its package.json, which
 * lists the bundled plugins), and the plugins `vault plugins install|link|update|uninstall` manage in
 * the data dir (its package.json, lock file, and each user or linked plugin's package.json). A few
 * stats and one small read; any change there makes the cached lists stale.
 */
export function pluginFingerprint(cliRoot: string, env: Env): string {
  const { dataDir } = oclifDirs(env);
  const userPjsonPath = join(dataDir, 'package.json');
  let userPjson = '';
  try {
    userPjson = readFileSync(userPjsonPath, 'utf8');
  } catch {
    /* no user plugins */
  }
  const parts = [`v${CACHE_VERSION}`, resolve(cliRoot), mtime(join(cliRoot, 'package.json')), mtime(join(cliRoot, 'oclif.manifest.json')), userPjson];
  if (userPjson) {
    parts.push(mtime(join(dataDir, 'package-lock.json')), mtime(join(dataDir, 'yarn.lock')));
    for (const plugin of userPlugins(userPjson)) {
      const root = plugin.type === 'link' && plugin.root ? (isAbsolute(plugin.root) ? plugin.root : resolve(dataDir, plugin.root)) : join(dataDir, 'node_modules', plugin.name);
      parts.push(`${plugin.name}=${mtime(join(root, 'package.json'))}`);
    }
  }
  return JSON.stringify(parts);
}

function userPlugins(pjsonText: string): Array<{ name: string; type?: string; root?: string }> {
  try {
    const pjson = JSON.parse(pjsonText) as { oclif?: { plugins?: unknown } };
    const list = pjson.oclif?.plugins;
    if (!Array.isArray(list)) return [];
    return list
      .map((entry: unknown) => (typeof entry === 'string' ? { name: entry } : (entry as { name?: unknown; type?: unknown; root?: unknown })))
      .filter((entry): entry is { name: string; type?: string; root?: string } => typeof entry.name === 'string');
  } catch {
    return [];
  }
}

export function cachePath(env: Env): string {
  return join(oclifDirs(env).cacheDir, CACHE_NAME);
}

/** The cached lists when they were made for this fingerprint; undefined when missing or stale. */
export function readValuesCache(path: string, fingerprint: string): PluginValues | undefined {
  try {
    const cache = JSON.parse(readFileSync(path, 'utf8')) as Partial<CacheFile>;
    if (cache.fingerprint !== fingerprint || !isNameList(cache.backends) || !isNameList(cache.prompts)) return undefined;
    return { backends: cache.backends, prompts: cache.prompts };
  } catch {
    return undefined;
  }
}

function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((name) => typeof name === 'string');
}

/** Writes the cache atomically (temp file and rename); a failure to write is ignored. */
export function writeValuesCache(path: string, fingerprint: string, values: PluginValues): void {
  const body: CacheFile = { fingerprint, backends: [...values.backends].sort(), prompts: [...values.prompts].sort() };
  const temp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
    renameSync(temp, path);
  } catch {
    /* a read-only cache dir only costs speed */
  }
}
