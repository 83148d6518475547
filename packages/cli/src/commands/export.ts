import { Args, Flags } from '@oclif/core';
import { resolveProfile, VaultError } from '@awsvault/core';
import { credentialFlags } from '../credentialFlags.js';
import { EXPORT_FORMATS, formatCredentials, formatEnv, type EnvFormat } from '../export/formatCredentials.js';
import { serveEnvPairs } from '../serve/serveEnvPairs.js';
import { VaultCommand } from '../vaultCommand.js';

export default class Export extends VaultCommand {
  static override summary = 'Export AWS credentials.';
  static override description = 'Prints the profile\'s credentials: as environment variables, as credential_process JSON, or as an ini section.';
  static override examples = [
    '<%= config.bin %> export dev',
    '<%= config.bin %> export --format=json dev   # credential_process = vault export --format=json dev',
    'eval "$(<%= config.bin %> export --format=export-env dev)"',
    'eval "$(<%= config.bin %> export --serve --format=export-env dev)"   # point this shell at the running vault serve',
  ];
  static override args = {
    profile: Args.string({ description: 'Name of the profile', required: true }),
  };
  static override flags = {
    ...credentialFlags,
    format: Flags.string({ description: 'Format to output credentials', options: [...EXPORT_FORMATS], default: 'env' }),
    serve: Flags.boolean({
      description: 'Print the variables that point SDKs at the running `vault serve` for the profile (and unset key variables that would shadow them) instead of credentials',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parseVault(Export);
    const env = this.env();
    if (env['AWS_VAULT']) {
      throw new VaultError('NESTED_EXEC', `in an existing vault subshell for profile ${env['AWS_VAULT']}`, { hint: "'exit' from the subshell or unset AWS_VAULT to force" });
    }
    if (flags.serve) {
      if (flags.format === 'ini' || flags.format === 'json') {
        throw new VaultError('FLAGS_CONFLICT', `Can't use --serve with --format=${flags.format}`, { hint: 'a shell format: env, export-env, dotenv, fish, powershell, nu or cmd' });
      }
      const profile = resolveProfile(this.awsConfig(), args.profile, { env, ...(flags.region ? { region: flags.region } : {}) });
      process.stdout.write(formatEnv(flags.format as EnvFormat, [...(await serveEnvPairs(env, profile.name, { region: profile.region }))]));
      return;
    }
    const { profile, provider } = await this.profileProvider(args.profile, flags);
    const credentials = await provider();
    process.stdout.write(formatCredentials(flags.format as (typeof EXPORT_FORMATS)[number], profile.name, credentials, profile.region));
  }
}
