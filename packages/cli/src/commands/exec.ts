import { Args, Flags } from '@oclif/core';
import { VaultError } from '@awsvault/core';
import { credentialFlags } from '../credentialFlags.js';
import { buildEnv } from '../exec/buildEnv.js';
import { runChild } from '../exec/runChild.js';
import { formatCredentials } from '../export/formatCredentials.js';
import { VaultCommand } from '../vaultCommand.js';

export default class Exec extends VaultCommand {
  static override summary = 'Execute a command with AWS credentials.';
  static override description = 'Runs the command (default: $SHELL) with the profile\'s credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and passes its exit code through.';
  static override strict = false;
  static override usage = 'exec [PROFILE] [FLAGS] [-- COMMAND [ARGS...]]';
  static override examples = [
    '<%= config.bin %> exec dev -- aws sts get-caller-identity',
    '<%= config.bin %> exec --no-session dev -- terraform plan',
    '<%= config.bin %> exec --duration 2h prod',
  ];
  static override args = {
    profile: Args.string({ description: 'Name of the profile (default: $AWS_PROFILE)', required: false }),
  };
  static override flags = {
    ...credentialFlags,
    json: Flags.boolean({ char: 'j', description: 'Output credentials in JSON that can be used by credential_process', hidden: true, default: false }),
    'profile-env': Flags.boolean({ description: 'Set AWS_PROFILE for the command instead of credential variables (credentials are checked first)', env: 'AWS_VAULT_PROFILE_ENV', default: false }),
  };

  async run(): Promise<void> {
    const { flags, args, argv } = await this.parseVault(Exec);
    const env = this.env();
    if (env['AWS_VAULT']) {
      throw new VaultError('NESTED_EXEC', `running in an existing vault subshell for profile ${env['AWS_VAULT']}`, { hint: "'exit' from the subshell or unset AWS_VAULT to force" });
    }
    const profileName = args.profile ?? env['AWS_PROFILE'];
    if (!profileName) throw new VaultError('PROFILE_MISSING', 'no profile given and AWS_PROFILE is not set', { hint: 'vault exec <profile> -- <command>' });
    const rest = argv.slice(args.profile === undefined ? 0 : 1);
    const { profile, provider } = await this.profileProvider(profileName, flags);
    const credentials = await provider();
    if (flags.json) {
      process.stdout.write(formatCredentials('json', profile.name, credentials, profile.region));
      return;
    }
    const childEnv = buildEnv(env, { profileName: profile.name, region: profile.region, endpointUrl: profile.endpointUrl }, flags['profile-env'] ? undefined : credentials);
    if (flags['profile-env']) childEnv['AWS_PROFILE'] = profile.name;
    const [command, ...commandArgs] = rest.length > 0 ? rest : [env['SHELL'] || '/bin/sh'];
    if (rest.length === 0) this.subshellHelp(flags.debug, `Starting subshell ${command}, use \`exit\` to exit the subshell`);
    this.debugLog(`running ${command} with the credentials of profile ${profile.name}`);
    const code = await runChild(command as string, commandArgs, childEnv);
    if (code !== 0) this.exit(code);
  }

  /** aws-vault's hint, shown only to a person at a terminal who did not ask for quiet. */
  private subshellHelp(debug: boolean, message: string): void {
    if (!debug && process.stdout.isTTY && this.env()['AWS_VAULT_DISABLE_HELP_MESSAGE'] !== '1') process.stderr.write(`${message}\n`);
    else this.debugLog(message);
  }
}
