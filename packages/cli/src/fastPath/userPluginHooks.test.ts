import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bundledRegistry } from './bundledRegistry.js';
import { userPluginHooks } from './userPluginHooks.js';

describe('userPluginHooks', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** A data dir whose package.json lists `plugins`, and plugin folders made from `packages`. */
  function dataDir(plugins: unknown[], packages: Record<string, { pjson: object; files?: Record<string, string> }>): Record<string, string> {
    const root = mkdtempSync(join(tmpdir(), 'vault-user-plugins-'));
    dirs.push(root);
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'package.json'), JSON.stringify({ private: true, oclif: { schema: 1, plugins: plugins.map((p) => (typeof p === 'object' && p && 'root' in p ? { ...p, root: join(root, String((p as { root: string }).root)) } : p)) } }));
    for (const [folder, { pjson, files }] of Object.entries(packages)) {
      mkdirSync(join(root, folder), { recursive: true });
      writeFileSync(join(root, folder, 'package.json'), JSON.stringify(pjson));
      for (const [name, text] of Object.entries(files ?? {})) writeFileSync(join(root, folder, name), text);
    }
    return { VAULT_DATA_DIR: join(root, 'data') };
  }
  const backendHook = (name: string) => `export default async () => ({ kind: 'backend', name: '${name}', open: async () => ({}) });\n`;

  it('is empty when no plugin was ever installed', () => {
    assert.deepEqual(userPluginHooks({ VAULT_DATA_DIR: join(tmpdir(), 'vault-no-such-dir') }), []);
  });

  it('finds the vault hooks of linked and installed plugins, with or without the .js suffix', async () => {
    const env = dataDir(
      [{ type: 'link', name: 'linked', root: 'linked' }, { type: 'user', name: 'installed' }],
      {
        linked: { pjson: { name: 'linked', oclif: { hooks: { 'vault:backend': './backend.js' } } }, files: { 'backend.js': backendHook('linked-store') } },
        'data/node_modules/installed': { pjson: { name: 'installed', oclif: { hooks: { 'vault:backend': ['./b'] } } }, files: { 'b.js': backendHook('installed-store') } },
      },
    );
    const hooks = userPluginHooks(env);
    assert.deepEqual(hooks?.map((h) => h.owner), ['linked', 'installed']);
    const registry = await bundledRegistry(hooks);
    assert.equal(registry?.owners.get('backend:linked-store'), 'linked');
    assert.equal(registry?.owners.get('backend:installed-store'), 'installed');
    assert.ok(registry?.backends.has('file'), 'the bundled backends are there too');
  });

  it('steps aside for hooks on other events, nested plugins, missing files and unreadable lists', () => {
    const cases = [
      { pjson: { name: 'x', oclif: { hooks: { init: './init.js' } } }, files: { 'init.js': '' } },
      { pjson: { name: 'x', oclif: { plugins: ['other'], hooks: {} } } },
      { pjson: { name: 'x', oclif: { hooks: { 'vault:backend': './missing.js' } } } },
    ];
    for (const plugin of cases) assert.equal(userPluginHooks(dataDir([{ type: 'link', name: 'x', root: 'x' }], { x: plugin })), undefined, JSON.stringify(plugin.pjson));
    const broken = dataDir([], {});
    writeFileSync(join(broken['VAULT_DATA_DIR'] as string, 'package.json'), '{not json');
    assert.equal(userPluginHooks(broken), undefined);
  });

  it('leaves to oclif a hook that throws, returns no definition, or takes a bundled name', async () => {
    for (const text of ["export default async () => { throw new Error('boom'); };\n", 'export default async () => 42;\n', backendHook('file')]) {
      const env = dataDir([{ type: 'link', name: 'x', root: 'x' }], { x: { pjson: { name: 'x', oclif: { hooks: { 'vault:backend': './h.js' } } }, files: { 'h.js': text } } });
      assert.equal(await bundledRegistry(userPluginHooks(env)), undefined, text);
    }
  });
});
