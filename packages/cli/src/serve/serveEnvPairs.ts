import { VaultError } from '@awsvault/core';
import type { EnvPair } from '../export/formatCredentials.js';
import { daemonEnvFor, daemonStatePath, readDaemonState } from './daemonState.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Key variables that would win over the container variables in every SDK's chain: unset with them. */
const SHADOWING = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION'];

/**
 * The variables that point SDKs at the running `vault serve` for a profile (its /profile/<name> URL
 * and token), after unsets of the key variables that would shadow them, then the region when known.
 * Read from the daemon's state file; nothing is fetched.
 */
export async function serveEnvPairs(env: Env, profileName: string, options: { docker?: boolean; region?: string | undefined } = {}): Promise<EnvPair[]> {
  const state = await readDaemonState(env);
  if (!state) {
    throw new VaultError('SERVE_NOT_RUNNING', `profile ${profileName}: no vault serve is running (no live ${daemonStatePath(env)})`, { hint: 'start one with `vault serve`' });
  }
  if (options.docker && !state.dockerUrl) {
    throw new VaultError('SERVE_NO_DOCKER', `the running vault serve (pid ${state.pid}) was not started with --docker`, { hint: 'restart it with vault serve --docker' });
  }
  const vars = daemonEnvFor(options.docker && state.dockerUrl ? { ...state, url: state.dockerUrl } : state, profileName);
  const region = options.region ? [['AWS_REGION', options.region], ['AWS_DEFAULT_REGION', options.region]] as const : [];
  return [...SHADOWING.map((name) => [name, null] as const), ...Object.entries(vars), ...region];
}
