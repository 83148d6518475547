#!/usr/bin/env node
// Cached `vault export` / `vault exec` run on every `aws` call when vault is a credential_process,
// so they (and `vault list`) first try a small bundle that loads no oclif and no AWS SDK; it answers only when a
// cached session (or --no-session keys) is enough, and otherwise hands over to oclif untouched.
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
if ((argv[0] === 'export' || argv[0] === 'exec') && !process.env.VAULT_NO_FAST_PATH) {
  try {
    const { runFastPath } = await import('../dist/fastBundle/runFastPath.js');
    code = await runFastPath(argv, process.env);
  } catch {
    code = undefined; // no bundle (a dev checkout before `npm run build`): oclif does everything
  }
}
if ((argv[0] === 'list' || argv[0] === 'ls') && !process.env.VAULT_NO_FAST_PATH) {
  try {
    const { runFastList } = await import('../dist/fastBundle/runFastList.js');
    code = await runFastList(argv, process.env);
  } catch {
    code = undefined;
  }
}
if (code === undefined) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
} else {
  process.exitCode = code;
}
