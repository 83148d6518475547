import {
  providerForProfile, resolveProfile, VaultError, type AwsConfig, type Backend, type DebugLogger, type MfaPrompt, type SourceDefinition,
} from '@awsvault/core';
import type { ProvidersFactory } from './serveCredentials.js';

/** The non-interactive switch every step that would ask the user honours (see docs/commands/serve.md). */
const NON_INTERACTIVE_ENV = 'VAULT_NON_INTERACTIVE';

export interface ProvidersFactoryOptions {
  /** Read on each new profile, so profiles added to the config while the daemon runs are served. */
  loadConfig: () => AwsConfig;
  backend: Backend;
  env: Readonly<Record<string, string | undefined>>;
  mfaPrompt: MfaPrompt;
  sources: readonly SourceDefinition[];
  lockDir: string;
  durationSeconds?: number | undefined;
  stdout?: boolean;
  debug: DebugLogger;
}

/**
 * How the daemon turns a profile name into providers: the same resolution and provider chain as
 * `export` (stored keys, sessions, roles, MFA, SSO, web identity, credential_process), composed twice.
 * The background one runs with `VAULT_NON_INTERACTIVE=1` and an MFA prompt that refuses, so a
 * refresh nobody asked for never waits for a person.
 */
export function providersFactory(options: ProvidersFactoryOptions): ProvidersFactory {
  const backgroundEnv = { ...options.env, [NON_INTERACTIVE_ENV]: '1' };
  return async (name) => {
    const config = options.loadConfig();
    const profile = resolveProfile(config, name, { env: options.env, ...(options.durationSeconds !== undefined ? { durationSeconds: options.durationSeconds } : {}) });
    const refuse: MfaPrompt = async () => {
      throw new VaultError('NON_INTERACTIVE', `profile ${name} needs an MFA code and a background refresh does not ask for one`, { hint: 'the next request for it asks' });
    };
    const common = {
      backend: options.backend,
      sources: options.sources,
      debug: options.debug,
      lockDir: options.lockDir,
      configFiles: [config.paths.configFile, config.paths.credentialsFile],
      ...(options.stdout ? { stdout: true } : {}),
    };
    return {
      profile,
      interactive: await providerForProfile(profile, { ...common, env: options.env, mfaPrompt: options.mfaPrompt }),
      background: await providerForProfile(profile, { ...common, env: backgroundEnv, mfaPrompt: refuse }),
    };
  };
}
