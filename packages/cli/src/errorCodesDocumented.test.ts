import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The sources of every package and plugin, without their tests. */
function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (entry.endsWith('.ts') && !/\.test\.|test-helper|\.test\.util/.test(entry)) out.push(path);
  }
  return out;
}

it('every error code the sources throw is in docs/errors.md', () => {
  const files = ['packages', 'plugins'].flatMap((group) => readdirSync(join(root, group)).map((pkg) => join(root, group, pkg, 'src'))).flatMap((dir) => sources(dir));
  const codes = new Set<string>();
  for (const file of files) for (const m of readFileSync(file, 'utf8').matchAll(/VaultError\(\s*'([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1] as string);
  assert.ok(codes.size > 50, `found ${codes.size} codes`);
  const docs = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  const wildcards = [...docs.matchAll(/`([A-Z_]+)_\*`/g)].map((m) => `${m[1]}_`);
  const missing = [...codes].filter((code) => !docs.includes(`\`${code}\``) && !wildcards.some((prefix) => code.startsWith(prefix)));
  assert.deepEqual(missing, []);
});
