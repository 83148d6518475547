#!/usr/bin/env node
// Cached `vault export` / `vault exec` run on every `aws` call when vault is a credential_process,
// so they first try a small bundle that loads no oclif and no AWS SDK; it answers only when a
// cached session (or --no-session keys) is enough, and otherwise hands over to oclif untouched.
const argv = process.argv.slice(2);
let code;
if ((argv[0] === 'export' || argv[0] === 'exec') && !process.env.VAULT_NO_FAST_PATH) {
  try {
    const { runFastPath } = await import('../dist/fastBundle/runFastPath.js');
    code = await runFastPath(argv, process.env);
  } catch {
    code = undefined; // no bundle (a dev checkout before `npm run build`): oclif does everything
  }
}
if (code === undefined) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
} else {
  process.exitCode = code;
}
