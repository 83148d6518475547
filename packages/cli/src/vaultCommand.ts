import { Command, Flags, type Interfaces } from '@oclif/core';
import {
  askOnTerminal, configFilePaths, defaultLockDir, homeDirectory, isVaultError, loadAwsConfig, providerForProfile, resolveProfile,
  silentLogger, VaultError, type AwsConfig, type Backend, type CredentialProvider, type DebugLogger, type MfaPrompt, type ProfileConfig,
} from '@awsvault/core';
import { stderrDebugLogger } from './debugLogger.js';
import { parseDurationFlag } from './parseDurationFlag.js';
import { loadRegistry, type Registry } from './registry.js';
import { selectBackend } from './selectBackend.js';
import { BACKEND_FLAG_ENV } from './backendFlagEnv.js';
import { lazyPrompt } from './selectPrompt.js';
import { sortSources } from './sortSources.js';

export type VaultFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof VaultCommand)['baseFlags'] & T['flags']>;

/**
 * Base of every vault command: the global flags aws-vault has, the plugin registry, backend and
 * prompt selection, and errors rendered as one line (a stack only with --debug).
 */
export abstract class VaultCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({ description: 'Show debugging output', default: false, helpGroup: 'GLOBAL' }),
    backend: Flags.string({ description: 'Secret backend to use', env: 'AWS_VAULT_BACKEND', helpGroup: 'GLOBAL' }),
    prompt: Flags.string({ description: 'Prompt driver to use for MFA codes', env: 'AWS_VAULT_PROMPT', helpGroup: 'GLOBAL' }),
    'file-dir': Flags.string({ description: 'Directory for the "file" backend', env: 'AWS_VAULT_FILE_DIR', helpGroup: 'GLOBAL' }),
    'pass-dir': Flags.string({ description: 'Pass password store directory', env: 'AWS_VAULT_PASS_PASSWORD_STORE_DIR', helpGroup: 'GLOBAL' }),
    'pass-cmd': Flags.string({ description: 'Name of the pass executable', env: 'AWS_VAULT_PASS_CMD', helpGroup: 'GLOBAL' }),
    'pass-prefix': Flags.string({ description: 'Prefix to prepend to the item path stored in pass', env: 'AWS_VAULT_PASS_PREFIX', helpGroup: 'GLOBAL' }),
    'secret-service-collection': Flags.string({ description: 'Name of the secret-service collection to use', env: 'AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME', helpGroup: 'GLOBAL' }),
    keychain: Flags.string({ description: 'Name of macOS keychain to use, if it doesn\'t exist it will be created', env: 'AWS_VAULT_KEYCHAIN_NAME', helpGroup: 'GLOBAL' }),
  };

  protected debugLog: DebugLogger = silentLogger;
  private registryPromise: Promise<Registry> | undefined;

  protected env(): Record<string, string | undefined> {
    return process.env;
  }

  /** Parses flags and switches debug output on before anything else runs. */
  protected async parseVault<T extends typeof Command>(command: T): Promise<{ flags: VaultFlags<T>; args: Interfaces.InferredArgs<T['args']>; argv: string[] }> {
    const parsed = await this.parse(command as unknown as typeof VaultCommand);
    if (parsed.flags.debug) {
      this.debugLog = stderrDebugLogger();
      this.debugLog(`vault ${this.config.version}`);
    }
    return parsed as unknown as { flags: VaultFlags<T>; args: Interfaces.InferredArgs<T['args']>; argv: string[] };
  }

  protected registry(): Promise<Registry> {
    this.registryPromise ??= loadRegistry(this.config, this.debugLog);
    return this.registryPromise;
  }

  protected awsConfig(): AwsConfig {
    const env = this.env();
    const paths = configFilePaths(env, homeDirectory(env));
    this.debugLog(`reading ${paths.configFile}`);
    return loadAwsConfig(paths);
  }

  protected async openBackend(flags: BackendFlags): Promise<Backend> {
    // Backends read their settings from the environment; flags given on the command line win.
    const env = { ...this.env() };
    for (const [flag, variable] of Object.entries(BACKEND_FLAG_ENV)) {
      const value = flags[flag as keyof BackendFlags];
      if (value) env[variable] = value;
    }
    return selectBackend(await this.registry(), flags.backend, {
      env,
      homeDir: homeDirectory(env),
      askPassphrase: (message) => askOnTerminal(message, { secret: true }),
      debug: this.debugLog,
    }, this.debugLog);
  }

  protected async mfaPrompt(flags: { prompt?: string | undefined }, avoidTerminal = false, profileName?: string): Promise<MfaPrompt> {
    if (flags.prompt === 'pass') {
      throw new VaultError('PROMPT_UNKNOWN', '--prompt pass is not a prompt', { hint: 'use mfa_process = pass otp <your mfa_serial> in the profile instead' });
    }
    return lazyPrompt(await this.registry(), flags.prompt, { env: this.env(), debug: this.debugLog }, this.debugLog, avoidTerminal, profileName);
  }

  /** Resolves a profile and composes its provider; nothing is called (no prompt) until the provider is. */
  protected async profileProvider(
    profileName: string,
    flags: CredentialFlags,
    options: { avoidTerminal?: boolean; noSessionForProfile?: string; useCache?: boolean } = {},
  ): Promise<{ profile: ProfileConfig; provider: CredentialProvider; backend: Backend }> {
    const env = this.env();
    const config = this.awsConfig();
    const durationSeconds = flags.duration === undefined ? undefined : parseDurationFlag(flags.duration);
    const profile = resolveProfile(config, profileName, {
      env,
      ...(flags.region ? { region: flags.region } : {}),
      ...(flags['mfa-token'] ? { mfaToken: flags['mfa-token'] } : {}),
      ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    });
    const backend = await this.openBackend(flags);
    const registry = await this.registry();
    const sources = sortSources(registry.sources.values());
    const provider = await providerForProfile(profile, {
      backend,
      env,
      mfaPrompt: await this.mfaPrompt(flags, options.avoidTerminal, profileName),
      sources,
      debug: this.debugLog,
      noSession: flags['no-session'] === true,
      ...(options.noSessionForProfile ? { noSessionForProfile: options.noSessionForProfile } : {}),
      ...(options.useCache === false ? { useCache: false } : {}),
      ...(flags.stdout ? { stdout: true } : {}),
      configFiles: [config.paths.configFile, config.paths.credentialsFile],
      lockDir: defaultLockDir(env, homeDirectory(env)),
    });
    return { profile, provider, backend };
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (isVaultError(error)) {
      if (this.debugLog !== silentLogger && error.stack) process.stderr.write(`${error.stack}\n`);
      const hint = error.hint ? ` (${error.hint})` : '';
      process.stderr.write(`vault: error: ${error.message.replace(/\s*\n\s*/g, ' ')}${hint}\n`);
      this.exit(error.exitCode);
    }
    if (error.oclif?.exit !== undefined) return super.catch(error);
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_') === false && (error as NodeJS.ErrnoException).syscall) {
      // Operating-system errors (EACCES, ENOSPC...) are the user's to fix: one line, no stack.
      process.stderr.write(`vault: error: ${error.message}\n`);
      this.exit(1);
    }
    return super.catch(error);
  }
}

export { BACKEND_FLAG_ENV };

export type BackendFlags = { backend?: string | undefined } & { [K in keyof typeof BACKEND_FLAG_ENV]?: string | undefined };

/** Flags of the commands that produce credentials. */
export interface CredentialFlags extends BackendFlags {
  prompt?: string | undefined;
  region?: string | undefined;
  'mfa-token'?: string | undefined;
  duration?: string | undefined;
  'no-session'?: boolean | undefined;
  stdout?: boolean | undefined;
}

