/**
 * Loads the fast path's CommonJS chunks (dist/fastBundle) with a V8 code cache per chunk, kept in
 * vault's cache directory. Node 20 has no compile cache of its own (`module.enableCompileCache`
 * arrived in Node 22), and compiling the chunks is a large share of a cached `vault export`; the
 * cache is made after the command ran, so it also holds the functions compiled lazily on the way.
 *
 * The cache only ever saves time: a missing, unreadable or rejected cache means compiling as
 * usual, and a cache that cannot be written is left unwritten. Each entry is keyed by the chunk's
 * name, size, modification time and inode and by the Node version, so a rebuilt or reinstalled
 * chunk never meets the bytecode of another (V8 itself checks only the source length and its flags).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { oclifDirs } from '../completion/valuesCache.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Set (to anything) to load the chunks without the code cache. */
export const NO_CODE_CACHE_ENV = 'VAULT_NO_CODE_CACHE';

const SUFFIX = '.v8cache';
const STALE_TEMPORARY_MS = 10 * 60_000;

export interface ChunkLoader {
  /** The exports of the chunk at `file` (an absolute path), loading it and the chunks it requires once. */
  load(file: string): Record<string, unknown>;
  /** Writes the caches of the chunks that had none (or a rejected one), and removes stale entries. Never throws. */
  save(): void;
  /** Chunks compiled from their cache, and chunks compiled from source. */
  readonly stats: { fromCache: number; compiled: number };
}

/**
 * Where the caches of the bundle in `bundleDir` live: a directory per bundle location under vault's
 * cache directory (two installed versions never prune each other's entries), or undefined when
 * `VAULT_NO_CODE_CACHE` is set.
 */
export function codeCacheDir(env: Env, bundleDir: string): string | undefined {
  if (env[NO_CODE_CACHE_ENV]) return undefined;
  const bundle = createHash('sha256').update(bundleDir).digest('hex').slice(0, 16);
  return join(oclifDirs(env).cacheDir, 'code-cache', bundle);
}

/** The cache file name of a chunk as it is on disk now. */
export function cacheEntryName(file: string, info: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>): string {
  return `${basename(file)}-${info.size}-${Math.trunc(info.mtimeMs)}-${info.ino}-${process.version}-${process.arch}${SUFFIX}`;
}

interface Module {
  exports: Record<string, unknown>;
}

type ModuleFunction = (
  exports: unknown,
  require: (id: string) => unknown,
  module: Module,
  filename: string,
  dirname: string,
  vaultImport: (specifier: string) => Promise<unknown>,
) => void;

/**
 * import() for the chunks: inside a vm.Script that V8 built from a code cache, import() has no
 * module loader on Node 20, so the bundle calls this instead (scripts/bundleFastPath.mjs rewrites
 * it). Specifiers are packages, absolute paths or file URLs; the chunks sit beside this file.
 */
const vaultImport = (specifier: string): Promise<unknown> => import(specifier);

/** A loader for chunks that require each other with relative paths; `cacheDir` undefined: no cache. */
export function createChunkLoader(cacheDir: string | undefined): ChunkLoader {
  const modules = new Map<string, Module>();
  const uncached: Array<{ entry: string; script: Script }> = [];
  const stats = { fromCache: 0, compiled: 0 };

  const load = (file: string): Record<string, unknown> => {
    const known = modules.get(file);
    if (known) return known.exports;
    const source = readFileSync(file, 'utf8');
    let entry: string | undefined;
    let cachedData: Buffer | undefined;
    if (cacheDir !== undefined) {
      try {
        entry = cacheEntryName(file, statSync(file));
        cachedData = readFileSync(join(cacheDir, entry));
      } catch {
        cachedData = undefined; // no cache yet
      }
    }
    // Node's CommonJS wrapper, so the chunk sees what `require` would give it, plus the import() above.
    const script = new Script(`(function (exports, require, module, __filename, __dirname, __vaultImport) { ${source}\n})`, {
      filename: file,
      ...(cachedData === undefined ? {} : { cachedData }),
    });
    if (cachedData !== undefined && !script.cachedDataRejected) stats.fromCache++;
    else {
      stats.compiled++;
      if (entry !== undefined) uncached.push({ entry, script });
    }
    const module: Module = { exports: {} };
    modules.set(file, module);
    const nodeRequire = createRequire(file);
    // Sibling chunks through this loader (resolved by Node, so tracing sees them); the rest as usual.
    const chunkRequire = (id: string): unknown => (id.startsWith('./') ? load(nodeRequire.resolve(id)) : nodeRequire(id));
    (script.runInThisContext() as ModuleFunction).call(module.exports, module.exports, chunkRequire, module, file, dirname(file), vaultImport);
    return module.exports;
  };

  const save = (): void => {
    if (cacheDir === undefined || uncached.length === 0) return;
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      for (const { entry, script } of uncached) {
        const path = join(cacheDir, entry);
        const temporary = `${path}.${process.pid}.tmp`;
        writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        renameSync(temporary, path);
      }
      // Entries of chunks that were rebuilt or are gone (an upgrade names its chunks anew).
      const bundleDir = dirname([...modules.keys()][0] as string);
      const written = new Set(uncached.map(({ entry }) => entry));
      for (const name of readdirSync(cacheDir)) {
        if (name.endsWith('.tmp')) {
          // Left by a process that died between writing and renaming.
          if (Date.now() - statSync(join(cacheDir, name)).mtimeMs > STALE_TEMPORARY_MS) unlinkSync(join(cacheDir, name));
          continue;
        }
        if (!name.endsWith(SUFFIX) || written.has(name)) continue;
        const chunk = join(bundleDir, name.slice(0, name.indexOf('.js-') + '.js'.length));
        let current: string | undefined;
        try {
          current = cacheEntryName(chunk, statSync(chunk));
        } catch {
          current = undefined;
        }
        if (current !== name) unlinkSync(join(cacheDir, name));
      }
    } catch {
      // best effort: the next run compiles from source again
    }
  };

  return { load, save, stats };
}
