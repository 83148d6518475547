import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { codeCacheDir, createChunkLoader } from './chunkLoader.js';

const root = mkdtempSync(join(tmpdir(), 'vault-chunks-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A bundle of CommonJS chunks shaped like dist/fastBundle: static and lazy requires, and an import() as the build rewrites it. */
function bundle(): string {
  const dir = join(root, `bundle-${counter++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'entry.js'), [
    'const shared = require("./chunk-A.js");',
    'const { sep } = require("node:path");',
    'exports.run = async () => {',
    '  const lazy = await Promise.resolve().then(() => require("./lazy-B.js"));',
    '  const { basename } = await __vaultImport("node:path");',
    '  return [shared.twice(2), lazy.name, sep, basename("/x/y.js"), shared === require("./chunk-A.js")].join(" ");',
    '};',
  ].join('\n'));
  writeFileSync(join(dir, 'chunk-A.js'), 'exports.twice = (n) => n * 2;\n');
  writeFileSync(join(dir, 'lazy-B.js'), 'exports.name = "lazy";\n');
  return dir;
}

/** Runs the entry through a loader in a new process (so V8 has nothing in memory) and reports what happened. */
function runInChild(dir: string, cacheDir: string): { out: string; stats: { fromCache: number; compiled: number } } {
  const loader = new URL('./chunkLoader.js', import.meta.url).href;
  const script = `
    const { createChunkLoader } = await import(${JSON.stringify(loader)});
    const l = createChunkLoader(${JSON.stringify(cacheDir)});
    const out = await l.load(${JSON.stringify(join(dir, 'entry.js'))}).run();
    l.save();
    process.stdout.write(JSON.stringify({ out, stats: l.stats }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { out: string; stats: { fromCache: number; compiled: number } };
}

const EXPECTED = '4 lazy / y.js true';

describe('createChunkLoader', () => {
  it('loads chunks as CommonJS would: sibling requires once, lazy requires, builtins, and import() through the loader', async () => {
    const loader = createChunkLoader(undefined);
    const entry = loader.load(join(bundle(), 'entry.js')) as { run(): Promise<string> };
    assert.equal(await entry.run(), EXPECTED);
    assert.deepEqual(loader.stats, { fromCache: 0, compiled: 3 });
    loader.save(); // no cache directory: nothing to write, and no error
  });

  it('writes a cache per chunk after the run (0600 files in a 0700 directory), which the next process compiles from', () => {
    const dir = bundle();
    const cacheDir = join(root, `cache-${counter++}`);
    assert.deepEqual(runInChild(dir, cacheDir), { out: EXPECTED, stats: { fromCache: 0, compiled: 3 } });
    const entries = readdirSync(cacheDir).sort();
    assert.equal(entries.length, 3);
    assert.ok(entries.every((name) => /^(entry|chunk-A|lazy-B)\.js-\d+-\d+-\d+-v\d+\.\d+\.\d+-\w+\.v8cache$/.test(name)), entries.join(' '));
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    for (const name of entries) assert.equal(statSync(join(cacheDir, name)).mode & 0o777, 0o600);
    assert.deepEqual(runInChild(dir, cacheDir), { out: EXPECTED, stats: { fromCache: 3, compiled: 0 } });
    assert.deepEqual(readdirSync(cacheDir).sort(), entries, 'a run from the cache writes nothing');
  });

  it('compiles a rebuilt chunk from source and replaces its entry; the others stay', () => {
    const dir = bundle();
    const cacheDir = join(root, `cache-${counter++}`);
    runInChild(dir, cacheDir);
    const before = readdirSync(cacheDir);
    writeFileSync(join(dir, 'chunk-A.js'), 'exports.twice = (n) => n + n; // rebuilt\n');
    assert.deepEqual(runInChild(dir, cacheDir), { out: EXPECTED, stats: { fromCache: 2, compiled: 1 } });
    const afterRebuild = readdirSync(cacheDir);
    assert.equal(afterRebuild.length, 3, 'the old entry of chunk-A.js is gone');
    assert.deepEqual(afterRebuild.filter((name) => !name.startsWith('chunk-A')).sort(), before.filter((name) => !name.startsWith('chunk-A')).sort());
    assert.notDeepEqual(afterRebuild.filter((name) => name.startsWith('chunk-A')), before.filter((name) => name.startsWith('chunk-A')));
  });

  it('ignores a corrupt cache entry (compiles from source, same result) and writes a good one', () => {
    const dir = bundle();
    const cacheDir = join(root, `cache-${counter++}`);
    runInChild(dir, cacheDir);
    for (const name of readdirSync(cacheDir)) writeFileSync(join(cacheDir, name), 'not V8 code cache data');
    assert.deepEqual(runInChild(dir, cacheDir), { out: EXPECTED, stats: { fromCache: 0, compiled: 3 } });
    assert.deepEqual(runInChild(dir, cacheDir).stats, { fromCache: 3, compiled: 0 });
  });

  it('removes the entries of chunks that are gone (an upgrade names its chunks anew) and old temporary files', () => {
    const dir = bundle();
    const cacheDir = join(root, `cache-${counter++}`);
    runInChild(dir, cacheDir);
    writeFileSync(join(cacheDir, 'chunk-OLD.js-10-1-1-v20.0.0-x64.v8cache'), 'stale');
    const leftover = join(cacheDir, 'entry.js-1-1-1-v20.0.0-x64.v8cache.999.tmp');
    const fresh = join(cacheDir, 'entry.js-2-2-2-v20.0.0-x64.v8cache.998.tmp');
    writeFileSync(leftover, 'half written');
    writeFileSync(fresh, 'being written');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(leftover, hourAgo, hourAgo);
    writeFileSync(join(dir, 'lazy-B.js'), 'exports.name = "lazy"; // rebuilt\n');
    runInChild(dir, cacheDir);
    const names = readdirSync(cacheDir);
    assert.ok(!names.some((name) => name.startsWith('chunk-OLD')));
    assert.ok(!names.includes(basename(leftover)), 'a temporary file an hour old is removed');
    assert.ok(names.includes(basename(fresh)), 'one another process may still be writing is kept');
  });

  it('runs without a cache when the cache directory cannot be made', async () => {
    const blocked = join(root, `blocked-${counter++}`);
    writeFileSync(blocked, 'a file where the directory would go');
    const loader = createChunkLoader(join(blocked, 'code-cache'));
    assert.equal(await (loader.load(join(bundle(), 'entry.js')) as { run(): Promise<string> }).run(), EXPECTED);
    loader.save();
    assert.equal(statSync(blocked).isFile(), true);
  });
});

describe('codeCacheDir', () => {
  it('is a directory per bundle location under vault\'s cache directory, none with VAULT_NO_CODE_CACHE', () => {
    const a = codeCacheDir({ HOME: '/h', XDG_CACHE_HOME: '/c' }, '/opt/vault/dist/fastBundle');
    const b = codeCacheDir({ HOME: '/h', XDG_CACHE_HOME: '/c' }, '/usr/lib/vault/dist/fastBundle');
    assert.match(a ?? '', /^\/c\/vault\/code-cache\/[0-9a-f]{16}$/);
    assert.notEqual(a, b);
    assert.equal(codeCacheDir({ HOME: '/h', VAULT_NO_CODE_CACHE: '1' }, '/opt/vault/dist/fastBundle'), undefined);
  });
});
