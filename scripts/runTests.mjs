#!/usr/bin/env node
// Runs every compiled test file in one `node --test` run, so there is one pass/fail summary.
// `--unit` runs packages/ and plugins/ only, `--e2e` the whole-CLI tests only.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2];
const roots = [];
if (only !== '--e2e') for (const group of ['packages', 'plugins']) for (const pkg of readdirSync(join(root, group))) roots.push(join(root, group, pkg, 'dist'));
if (only !== '--unit') roots.push(join(root, 'e2e', 'dist'));

const files = [];
const walk = (dir) => {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (entry.endsWith('.test.js')) files.push(path);
  }
};
roots.forEach(walk);
if (files.length === 0) {
  console.error('no compiled tests found: run `npm run build` first');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files.sort()], {
  stdio: ['ignore', 'inherit', 'inherit'],
  cwd: root,
});
process.exit(result.status ?? 1);
