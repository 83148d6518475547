#!/usr/bin/env node
// Builds dist/fastBundle: the code `bin/run.js` runs for cached `export`/`exec` and `list` without
// oclif, and the loader that runs it with a V8 code cache. esbuild splits it into chunks (each backend, prompt and source loads only when opened), as
// ES modules; each chunk is then turned into CommonJS, because a CommonJS entry point never starts
// Node's ES module loader, which costs ~4 ms per process on Node 20 (measured in bench/RESULTS.md).
// Relative and `node:` dynamic imports become lazy require() calls; a package's (the AWS SDK,
// openpgp) and a user plugin's become calls of the loader's `__vaultImport`, a real import(), so
// ES module packages still load.
import { build, transform } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(cli, 'dist', 'fastBundle');

const result = await build({
  entryPoints: [join(cli, 'dist/fastPath/runFastPath.js'), join(cli, 'dist/fastPath/runFastList.js')],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  write: false,
  minifySyntax: true,
  logLevel: 'warning',
  external: ['@aws-sdk/*', '@oclif/*', 'dbus-next', 'openpgp'],
});

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
// The chunks are CommonJS although the package is "type": "module".
writeFileSync(join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
for (const file of result.outputFiles) {
  const usesImportMeta = file.text.includes('import.meta.url');
  const converted = await transform(file.text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minifySyntax: true,
    ...(usesImportMeta
      ? { define: { 'import.meta.url': '__importMetaUrl' }, banner: 'var __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' }
      : {}),
  });
  const code = converted.code
    .replace(/\bimport\("((?:\.\/|node:)[^"]+)"\)/g, 'Promise.resolve().then(() => require("$1"))')
    // The chunks run through vm.Script (src/fastPath/chunkLoader.ts), where import() has no loader
    // once the script comes from a code cache; the loader passes in one that does.
    .replace(/(?<=(?:\bawait|=|\()\s*)\bimport\(/g, '__vaultImport(');
  const name = basename(file.path);
  if (/\bimport\.meta\b/.test(code)) throw new Error(`${name}: import.meta left in a CommonJS chunk`);
  if (/\bimport\(/.test(code)) throw new Error(`${name}: an import() of a form this script does not rewrite; see chunkLoader.ts`);
  writeFileSync(file.path, code);
}

// The loader that runs the chunks with a V8 code cache (src/fastPath/chunkLoader.ts), loaded by a
// plain require(): one small CommonJS file.
await build({
  entryPoints: [join(cli, 'dist/fastPath/chunkLoader.js')],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: join(outdir, 'chunkLoader.js'),
  minifySyntax: true,
  logLevel: 'warning',
});
