import { fileURLToPath } from 'node:url';

/** The repository root, from e2e/dist/helpers. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The built CLI's entry point, run as users run it. */
export const vaultBin = fileURLToPath(new URL('../../../packages/cli/bin/run.js', import.meta.url));
/** Debian's AWS CLI v2 (a pyenv `aws` v1 may come first on PATH). */
export const awsBin = '/usr/bin/aws';
