import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsBin, repoRoot } from './paths.js';
import { shellQuote } from './run.js';

/** `@aws-sdk/client-sts` is resolved the way vault's own packages resolve it. */
const corePackageJson = join(repoRoot, 'packages', 'core', 'package.json');

/**
 * A Node one-liner for a child of `vault exec`: sts:GetCallerIdentity with `@aws-sdk/client-sts`'s
 * default credential chain (no credentials given: env, config, then container or instance metadata),
 * the endpoint passed as its argument. Prints `{"Arn","Account"}`, or the error on stderr and exits 1.
 */
const SDK_CALLER_IDENTITY = [
  `const sts = require('node:module').createRequire(${JSON.stringify(corePackageJson)})('@aws-sdk/client-sts');`,
  `new sts.STSClient({ region: 'us-east-1', endpoint: process.argv[1], maxAttempts: 1 })`,
  `.send(new sts.GetCallerIdentityCommand({}))`,
  `.then((r) => console.log(JSON.stringify({ Arn: r.Arn, Account: r.Account })), (e) => { console.error(e.name + ': ' + e.message); process.exit(1); });`,
].join('');

/** Shell command: the SDK one-liner against the emulator. */
export function sdkCommand(endpointUrl: string): string {
  return shellQuote([process.execPath, '-e', SDK_CALLER_IDENTITY, endpointUrl]);
}

/** Shell command: Debian's AWS CLI v2 `sts get-caller-identity` against the emulator. */
export function awsCommand(endpointUrl: string): string {
  return shellQuote([awsBin, 'sts', 'get-caller-identity', '--endpoint-url', endpointUrl, '--output', 'json']);
}

/** Shell command: a helper script of this directory (compiled), run by node. */
export function helperCommand(name: 'attackServer' | 'imdsV1Shim' | 'credentialWatch', args: string[]): string {
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  return shellQuote([process.execPath, script, ...args]);
}

/** Keeps the SDK's Node-version notice out of the children's stderr. */
export const QUIET_SDK_ENV = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
