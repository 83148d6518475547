import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { configReader, pluginValues, profileNames } from './completeFast.js';
import { cachePath, pluginFingerprint, writeValuesCache } from './valuesCache.js';

describe('__complete', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-complete-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the profiles of AWS_CONFIG_FILE in file order, as vault list --profiles does', async () => {
    const config = join(dir, 'custom-config');
    writeFileSync(config, '[profile b]\nregion = eu-west-1\n[sso-session s]\nsso_region = eu-west-1\n[profile a]\nsource_profile = b\n[default]\n');
    assert.deepEqual(await profileNames({ HOME: dir, AWS_CONFIG_FILE: config }), ['b', 'a']);
  });

  it('lists nothing (and throws nothing) when the config does not parse', async () => {
    const config = join(dir, 'broken');
    writeFileSync(config, '[profile a\n');
    assert.deepEqual(await profileNames({ HOME: dir, AWS_CONFIG_FILE: config }), []);
  });

  it("reads the config with core's config entry, not its whole index", async () => {
    const reader = await configReader();
    const core = await import('@awsvault/core');
    assert.equal(reader.loadAwsConfig, core.loadAwsConfig);
    assert.equal(reader.configFilePaths, core.configFilePaths);
  });

  it('answers backends and prompts from a fresh cache without loading oclif', async () => {
    const cli = join(dir, 'cli');
    mkdirSync(cli);
    writeFileSync(join(cli, 'package.json'), '{}');
    const env = { HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), XDG_DATA_HOME: join(dir, 'data') };
    writeValuesCache(cachePath(env), pluginFingerprint(cli, env), { backends: ['only-in-cache'], prompts: ['p'] });
    assert.deepEqual(await pluginValues(env, cli), { backends: ['only-in-cache'], prompts: ['p'] });
  });
});
