import { resolveProfile, VaultError, type AwsConfig, type DebugLogger } from '@awsvault/core';
import { buildEnv } from '../exec/buildEnv.js';
import { runChild } from '../exec/runChild.js';
import { CONTAINER_VARIABLES, IMDS_VARIABLES } from '../server/execServer.js';
import { daemonEnvFor, daemonStatePath, readDaemonState } from './daemonState.js';

export interface AttachOptions {
  env: Readonly<Record<string, string | undefined>>;
  loadConfig: () => AwsConfig;
  profileName: string;
  region?: string | undefined;
  /** The command and its arguments; empty runs $SHELL. */
  argv: readonly string[];
  /** Flags that cannot go with --attach, by name, and whether each was given. */
  conflicting: Record<string, boolean>;
  debug: DebugLogger;
}

/**
 * `vault exec --attach`: runs the command pointed at the running `vault serve` for the profile
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI and the token) instead of handing it credentials. vault makes
 * no STS call and opens no secret store; the daemon does the rest. Resolves the command's exit code.
 */
export async function runAttached(options: AttachOptions): Promise<number> {
  const { env, profileName } = options;
  for (const [flag, given] of Object.entries(options.conflicting)) {
    if (given) throw new VaultError('FLAGS_CONFLICT', `Can't use --attach with ${flag}`);
  }
  const state = await readDaemonState(env);
  if (!state) {
    throw new VaultError('SERVE_NOT_RUNNING', `profile ${profileName}: --attach needs a running vault serve and there is none (no live ${daemonStatePath(env)})`, {
      hint: 'start one with `vault serve`, or drop --attach',
    });
  }
  // The profile is resolved for its region and endpoint only: a typo fails here, not in the command's SDK.
  const profile = resolveProfile(options.loadConfig(), profileName, { env, ...(options.region ? { region: options.region } : {}) });
  const childEnv = buildEnv(env, { profileName: profile.name, region: profile.region, endpointUrl: profile.endpointUrl }, undefined);
  for (const name of [...CONTAINER_VARIABLES, ...IMDS_VARIABLES]) delete childEnv[name];
  Object.assign(childEnv, daemonEnvFor(state, profile.name));
  const [command, ...args] = options.argv.length > 0 ? options.argv : [env['SHELL'] || '/bin/sh'];
  options.debug(`running ${command} with credentials of profile ${profile.name} from vault serve (pid ${state.pid}, ${state.url})`);
  return runChild(command as string, args, childEnv);
}
