import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { BUNDLED_HOOKS } from './bundledRegistry.js';

it("the fast path's bundled plugins are exactly the CLI's bundled @awsvault plugins", () => {
  const pjson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { oclif: { plugins: string[] } };
  const bundled = pjson.oclif.plugins.filter((name) => name.startsWith('@awsvault/')).sort();
  assert.deepEqual(Object.keys(BUNDLED_HOOKS).sort(), bundled);
});
