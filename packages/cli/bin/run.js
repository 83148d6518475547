#!/usr/bin/env node
// Cached `vault export` / `vault exec` run on every `aws` call when vault is a credential_process,
// so they (and `vault list`) first try a small bundle that loads no oclif and no AWS SDK; it answers
// only when a cached session (or --no-session keys) is enough, and otherwise hands over to oclif
// untouched. This file and the bundle are CommonJS (bin/package.json, dist/fastBundle/package.json):
// a CommonJS entry point never starts Node's ES module loader, which the fast path does not need.
'use strict';

const fastPathDisabled = () => Boolean(process.env.VAULT_NO_FAST_PATH);

/**
 * The answer of a fast-path entry of the bundle, or undefined when the bundle is missing (a dev
 * checkout before `npm run build`), steps aside or fails: then oclif does the whole job and reports
 * any error itself. The chunks load through a V8 code cache (dist/fastBundle/chunkLoader.js).
 */
async function tryBundle(name, entry, argv) {
  let run;
  try {
    const bundleDir = require('node:path').join(__dirname, '..', 'dist', 'fastBundle');
    const { codeCacheDir, createChunkLoader } = require(`${bundleDir}/chunkLoader.js`);
    const loader = createChunkLoader(codeCacheDir(process.env, bundleDir));
    process.on('exit', () => loader.save());
    run = loader.load(require.resolve(`${bundleDir}/${name}`))[entry];
  } catch {
    return undefined;
  }
  try {
    return await run(argv, process.env);
  } catch {
    return undefined;
  }
}

async function main() {
  let argv = process.argv.slice(2);
  if (argv[0]?.startsWith('--') && argv[0] !== '--version' && argv[0] !== '--help') {
    // `vault --debug exec dev` as aws-vault takes it: global flags move after the command.
    const { hoistGlobalFlags } = await import('../dist/hoistGlobalFlags.js');
    argv = hoistGlobalFlags(argv);
    process.argv.splice(2, process.argv.length - 2, ...argv);
  }
  if (argv[0] === '__complete') {
    // The completion scripts call `vault __complete profiles|backends|prompts` at every TAB: answered
    // without oclif (backends and prompts from a cache that loads oclif only when plugins changed).
    const { complete } = await import('../dist/completion/completeFast.js');
    process.exit(await complete(argv.slice(1), process.env));
  }
  if (argv[0] === '__dir-profile') {
    // The shell hook of `vault shell-init` asks at every change of directory: answered without oclif.
    const { dirProfileMain } = await import('../dist/dirProfile/dirProfileAnswer.js');
    process.exit(dirProfileMain(argv.slice(1), process.env));
  }
  let code;
  if ((argv[0] === 'export' || argv[0] === 'exec') && !fastPathDisabled()) {
    code = await tryBundle('runFastPath.js', 'runFastPath', argv);
  } else if ((argv[0] === 'list' || argv[0] === 'ls') && !fastPathDisabled()) {
    code = await tryBundle('runFastList.js', 'runFastList', argv);
  }
  if (code === undefined) {
    const { execute } = await import('@oclif/core');
    // The package root, not this directory: oclif takes the first package.json above `dir`, and
    // bin/ has its own (it only makes this file CommonJS).
    await execute({ dir: require('node:path').join(__dirname, '..') });
  } else {
    process.exitCode = code;
  }
}

main();
