import {
  configFilePaths, homeDirectory, loadAwsConfig, providerForProfile, resolveProfile, silentLogger,
  type SourceDefinition, type StsFactory,
} from '@awsvault/core';
import { buildEnv } from '../exec/buildEnv.js';
import { runChild } from '../exec/runChild.js';
import { formatCredentials } from '../export/formatCredentials.js';
import { selectBackend } from '../selectBackend.js';
import { parseDurationFlag } from '../parseDurationFlag.js';
import { bundledRegistry } from './bundledRegistry.js';
import { userPluginHooks } from './userPluginHooks.js';
import { parseFastArgs } from './parseFastArgs.js';
import { sortSources } from '../sortSources.js';

/** Thrown wherever the fast path would need more than a cached session: oclif takes over. */
class NeedsFullPath extends Error {}
const needsFullPath = (): never => {
  throw new NeedsFullPath();
};

/**
 * `vault export` and `vault exec` when the credentials are a still-valid cached session (or stored
 * keys with --no-session): the same core code as the oclif commands, minus oclif, the AWS SDK and
 * anything that would prompt. Resolves the exit code, or undefined when oclif must do the job
 * (an STS call, an MFA or passphrase prompt, an error to report, a flag it does not know) — it has
 * printed nothing then, so oclif's output is the only output.
 */
export async function runFastPath(argv: readonly string[], env: Record<string, string | undefined>): Promise<number | undefined> {
  const request = parseFastArgs(argv, env);
  if (!request || !request.profile || env['AWS_VAULT']) return undefined;
  const userHooks = userPluginHooks(env);
  if (!userHooks) return undefined;
  let credentials;
  let profile;
  try {
    const config = loadAwsConfig(configFilePaths(env, homeDirectory(env)));
    const durationSeconds = request.duration === undefined ? undefined : parseDurationFlag(request.duration);
    profile = resolveProfile(config, request.profile, {
      env,
      ...(request.region ? { region: request.region } : {}),
      ...(request.mfaToken ? { mfaToken: request.mfaToken } : {}),
      ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    });
    const registry = (await bundledRegistry(userHooks)) ?? needsFullPath();
    const backendEnv = { ...env, ...(request.fileDir ? { AWS_VAULT_FILE_DIR: request.fileDir } : {}) };
    const backend = await selectBackend(registry, request.backend, { env: backendEnv, homeDir: homeDirectory(env), askPassphrase: needsFullPath, debug: silentLogger }, silentLogger);
    const sources: SourceDefinition[] = sortSources(registry.sources.values()).map((source) => ({ ...source, create: () => needsFullPath }));
    const noSts: StsFactory = async () => needsFullPath();
    const provider = await providerForProfile(profile, {
      backend, env, mfaPrompt: needsFullPath, sources, sts: noSts, noSession: request.noSession,
      configFiles: [config.paths.configFile, config.paths.credentialsFile],
    });
    credentials = await provider();
  } catch {
    return undefined; // NeedsFullPath, or an error oclif will report in its own words
  }
  if (request.command === 'export' || request.json) {
    process.stdout.write(formatCredentials(request.command === 'export' ? request.format : 'json', profile.name, credentials, profile.region));
    return 0;
  }
  const childEnv = buildEnv(env, { profileName: profile.name, region: profile.region, endpointUrl: profile.endpointUrl }, credentials);
  const [command, ...args] = request.childArgv.length > 0 ? request.childArgv : [env['SHELL'] || '/bin/sh'];
  try {
    return await runChild(command as string, args, childEnv);
  } catch {
    return undefined; // could not start the command: oclif reports it the same way
  }
}
