import { Args, Flags } from '@oclif/core';
import { VaultError } from '@awsvault/core';
import { EXPORT_FORMATS, formatEnv, type EnvFormat } from '../../export/formatCredentials.js';
import { serveEnvPairs } from '../../serve/serveEnvPairs.js';
import { VaultCommand } from '../../vaultCommand.js';

const FORMATS = EXPORT_FORMATS.filter((format): format is EnvFormat => format !== 'ini');

export default class ServeEnv extends VaultCommand {
  static override summary = 'Print the variables that point an SDK at the running vault serve.';
  static override description = 'Prints AWS_CONTAINER_CREDENTIALS_FULL_URI (the daemon\'s /profile/<name> URL) and AWS_CONTAINER_AUTHORIZATION_TOKEN for a profile, read from the running daemon\'s state file, in any shell\'s syntax (formats that can unset also unset the key variables that would shadow them). Nothing is fetched.';
  static override examples = [
    'eval "$(<%= config.bin %> serve env --format export-env dev)"',
    '<%= config.bin %> serve env --docker dev > dev.env   # docker run --env-file dev.env --add-host=host.docker.internal:host-gateway …',
  ];
  static override args = {
    profile: Args.string({ description: 'Name of the profile (default: $AWS_PROFILE)', required: false }),
  };
  static override flags = {
    format: Flags.string({ description: 'Output format', options: [...FORMATS], default: 'env' }),
    docker: Flags.boolean({ description: 'The URL containers use (vault serve --docker)', default: false }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parseVault(ServeEnv);
    const env = this.env();
    const profileName = args.profile ?? (env['AWS_PROFILE'] || undefined);
    if (!profileName) throw new VaultError('PROFILE_MISSING', 'no profile given and AWS_PROFILE is not set', { hint: 'vault serve env <profile>' });
    process.stdout.write(formatEnv(flags.format as EnvFormat, await serveEnvPairs(env, profileName, { docker: flags.docker })));
  }
}
