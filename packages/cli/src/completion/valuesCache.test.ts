import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cachePath, oclifDirs, pluginFingerprint, readValuesCache, writeValuesCache } from './valuesCache.js';

describe('oclifDirs', () => {
  it('follows XDG on Linux', () => {
    assert.deepEqual(oclifDirs({ HOME: '/h', XDG_DATA_HOME: '/d', XDG_CACHE_HOME: '/c' }, 'linux'), { dataDir: '/d/vault', cacheDir: '/c/vault' });
    assert.deepEqual(oclifDirs({ HOME: '/h' }, 'linux'), { dataDir: '/h/.local/share/vault', cacheDir: '/h/.cache/vault' });
  });

  it('uses ~/Library/Caches on macOS, and VAULT_*_DIR everywhere', () => {
    assert.equal(oclifDirs({ HOME: '/h' }, 'darwin').cacheDir, '/h/Library/Caches/vault');
    assert.deepEqual(oclifDirs({ HOME: '/h', VAULT_DATA_DIR: '/x', VAULT_CACHE_DIR: '/y' }, 'darwin'), { dataDir: '/x', cacheDir: '/y' });
  });

  it('uses LOCALAPPDATA on Windows', () => {
    assert.equal(oclifDirs({ HOME: '/h', LOCALAPPDATA: '/l' }, 'win32').dataDir, join('/l', 'vault'));
  });
});

describe('the values cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-completion-cache-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cli = join(dir, 'cli');
  const data = join(dir, 'data');
  const env = { HOME: dir, XDG_DATA_HOME: data, XDG_CACHE_HOME: join(dir, 'cache') };
  mkdirSync(cli);
  writeFileSync(join(cli, 'package.json'), '{"name":"@awsvault/cli","version":"1.0.0"}');

  it('reads back what it wrote for the same fingerprint only', () => {
    const path = cachePath(env);
    assert.equal(path, join(dir, 'cache', 'vault', 'completion-values.json'));
    const fingerprint = pluginFingerprint(cli, env);
    assert.equal(readValuesCache(path, fingerprint), undefined);
    writeValuesCache(path, fingerprint, { backends: ['file', 'a'], prompts: ['terminal'] });
    assert.deepEqual(readValuesCache(path, fingerprint), { backends: ['a', 'file'], prompts: ['terminal'] });
    assert.equal(readValuesCache(path, `${fingerprint}x`), undefined);
    writeFileSync(path, 'not json');
    assert.equal(readValuesCache(path, fingerprint), undefined);
  });

  it('changes when plugins are installed, linked plugins change, or the CLI changes', () => {
    const before = pluginFingerprint(cli, env);
    assert.equal(pluginFingerprint(cli, env), before, 'stable while nothing changes');
    assert.equal(pluginFingerprint(`${cli}/`, env), before, 'the same root however it is spelled');

    const linked = join(dir, 'linked');
    mkdirSync(linked);
    writeFileSync(join(linked, 'package.json'), '{"name":"vault-plugin-x"}');
    mkdirSync(join(data, 'vault'), { recursive: true });
    writeFileSync(join(data, 'vault', 'package.json'), JSON.stringify({ oclif: { plugins: [{ name: 'vault-plugin-x', type: 'link', root: linked }] } }));
    const installed = pluginFingerprint(cli, env);
    assert.notEqual(installed, before);

    utimesSync(join(linked, 'package.json'), new Date(), new Date(Date.now() + 5000));
    const touched = pluginFingerprint(cli, env);
    assert.notEqual(touched, installed);

    utimesSync(join(cli, 'package.json'), new Date(), new Date(Date.now() + 10_000));
    assert.notEqual(pluginFingerprint(cli, env), touched);
  });

  it('writes atomically, leaving no temp file behind', () => {
    const path = join(dir, 'deep', 'er', 'values.json');
    writeValuesCache(path, 'f', { backends: [], prompts: [] });
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { fingerprint: 'f', backends: [], prompts: [] });
  });
});
