import { Args, Flags } from '@oclif/core';
import { VaultError } from '@awsvault/core';
import { credentialFlags } from '../credentialFlags.js';
import { buildEnv } from '../exec/buildEnv.js';
import { runChild } from '../exec/runChild.js';
import { ssoCacheForExec } from '../exec/ssoCacheForExec.js';
import { formatCredentials } from '../export/formatCredentials.js';
import { runWithServer } from '../server/execServer.js';
import { runAttached } from '../serve/runAttached.js';
import { VaultCommand } from '../vaultCommand.js';

/** The environment variable `--ec2-server-port` defaults to (read only with --ec2-server). */
const EC2_PORT_ENV = 'AWS_VAULT_EC2_SERVER_PORT';

export default class Exec extends VaultCommand {
  static override summary = 'Execute a command with AWS credentials.';
  static override description = 'Runs the command (default: $SHELL) with the profile\'s credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and passes its exit code through. With --ecs-server or --ec2-server the command gets no keys: a credential server on a loopback address hands them out, refreshed before they expire, until the command exits.';
  static override strict = false;
  static override usage = 'exec [PROFILE] [FLAGS] [-- COMMAND [ARGS...]]';
  static override examples = [
    '<%= config.bin %> exec dev -- aws sts get-caller-identity',
    '<%= config.bin %> exec --no-session dev -- terraform plan',
    '<%= config.bin %> exec --duration 2h prod',
    '<%= config.bin %> exec --ecs-server --lazy dev -- docker compose up',
    '<%= config.bin %> exec --ec2-server --ec2-server-port 0 dev -- ./long-running-job',
  ];
  static override args = {
    profile: Args.string({ description: 'Name of the profile (default: $AWS_PROFILE)', required: false }),
  };
  static override flags = {
    ...credentialFlags,
    json: Flags.boolean({ char: 'j', description: 'Output credentials in JSON that can be used by credential_process', hidden: true, default: false }),
    'profile-env': Flags.boolean({ description: 'Set AWS_PROFILE for the command instead of credential variables (credentials are checked first)', env: 'AWS_VAULT_PROFILE_ENV', default: false }),
    server: Flags.boolean({ char: 's', description: 'Alias for --ecs-server', default: false }),
    'ec2-server': Flags.boolean({ description: 'Run a EC2 metadata server in the background for credentials', default: false }),
    'ecs-server': Flags.boolean({ description: 'Run a ECS credential server in the background for credentials (the SDK or app must support AWS_CONTAINER_CREDENTIALS_FULL_URI)', default: false }),
    lazy: Flags.boolean({ description: 'When using --ecs-server, lazily fetch credentials', default: false }),
    'sso-cache': Flags.boolean({ description: 'SSO profiles: put the SSO token in the AWS CLI cache (~/.aws/sso/cache) while the command runs, and take it away when it exits', default: false }),
    'ec2-server-port': Flags.string({
      description: `[env: ${EC2_PORT_ENV}] With --ec2-server: serve on 127.0.0.1:PORT (0: any free port) without the root proxy, and point the command at it with AWS_EC2_METADATA_SERVICE_ENDPOINT`,
      helpValue: 'PORT',
    }),
    'imds-v2-only': Flags.boolean({ description: 'With --ec2-server: refuse IMDSv1 requests (those without a session token)', env: 'AWS_VAULT_IMDS_V2_ONLY', default: false }),
    attach: Flags.boolean({ description: 'Point the command at the running `vault serve` for the profile instead of fetching credentials', default: false }),
  };

  async run(): Promise<void> {
    const { flags, args, argv } = await this.parseVault(Exec);
    const env = this.env();
    if (env['AWS_VAULT']) {
      throw new VaultError('NESTED_EXEC', `running in an existing vault subshell for profile ${env['AWS_VAULT']}`, { hint: "'exit' from the subshell or unset AWS_VAULT to force" });
    }
    const ecs = flags['ecs-server'] || flags.server;
    const ec2 = flags['ec2-server'];
    const ec2Port = checkServerFlags({ ecs, ec2, json: flags.json, noSession: flags['no-session'], profileEnv: flags['profile-env'], ec2PortFlag: flags['ec2-server-port'], ec2PortEnv: env[EC2_PORT_ENV] });
    const profileName = args.profile ?? env['AWS_PROFILE'];
    if (!profileName) throw new VaultError('PROFILE_MISSING', 'no profile given and AWS_PROFILE is not set', { hint: 'vault exec <profile> -- <command>' });
    const rest = argv.slice(args.profile === undefined ? 0 : 1);
    if (flags.attach) {
      const conflicting = { '--ecs-server': ecs, '--ec2-server': ec2, '--json': flags.json, '--profile-env': flags['profile-env'], '--no-session': flags['no-session'], '--lazy': flags.lazy };
      const code = await runAttached({ env, loadConfig: () => this.awsConfig(), profileName, region: flags.region, argv: rest, conflicting, debug: this.debugLog });
      if (code !== 0) this.exit(code);
      return;
    }
    // A server may need an MFA code while the command owns the terminal: prefer a non-terminal prompt.
    // The terminal is still used when it is the only prompt (it fails only if a code is needed and no terminal exists).
    if (flags['sso-cache'] && (ecs || ec2 || flags.json)) throw new VaultError('FLAGS_CONFLICT', `Can't use --sso-cache with ${ecs ? '--ecs-server' : ec2 ? '--ec2-server' : '--json'}`);
    const { profile, provider, backend } = await this.profileProvider(profileName, flags, ecs || ec2 ? { avoidTerminal: true } : {});
    if (ecs || ec2) {
      const [command, ...commandArgs] = rest.length > 0 ? rest : [env['SHELL'] || '/bin/sh'];
      const announce = (message: string) => {
        if (rest.length > 0) return this.debugLog(message);
        this.subshellHelp(flags.debug, message);
        this.subshellHelp(flags.debug, `Starting subshell ${command}, use \`exit\` to exit the subshell`);
      };
      const code = await runWithServer({
        mode: ecs ? 'ecs' : 'ec2',
        lazy: flags.lazy,
        ec2Port,
        v2Only: flags['imds-v2-only'],
        profile,
        provider,
        env,
        command: command as string,
        args: commandArgs,
        debug: this.debugLog,
        help: announce,
      });
      if (code !== 0) this.exit(code);
      return;
    }
    if (flags.lazy) this.debugLog('--lazy has no effect without --ecs-server or --ec2-server');
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
    const ssoCache = flags['sso-cache']
      ? await ssoCacheForExec({ profile, backend, env, debug: this.debugLog, refresh: async () => (await this.profileProvider(profileName, flags, { useCache: false })).provider() })
      : undefined;
    let code: number;
    try {
      code = await runChild(command as string, commandArgs, childEnv);
    } finally {
      await ssoCache?.release();
    }
    if (code !== 0) this.exit(code);
  }

  /** aws-vault's hint, shown only to a person at a terminal who did not ask for quiet. */
  private subshellHelp(debug: boolean, message: string): void {
    if (!debug && process.stdout.isTTY && this.env()['AWS_VAULT_DISABLE_HELP_MESSAGE'] !== '1') process.stderr.write(`${message}\n`);
    else this.debugLog(message);
  }
}

/**
 * aws-vault's validation of the server flags (exec step 2), plus the port of `--ec2-server-port`.
 * aws-vault also refuses a resolved terminal prompt with a server even when no code is needed
 * (Appendix A 18); vault does not: the terminal prompt fails only if a code is needed and there is no
 * terminal. Returns the EC2 port to serve on directly, or undefined for the proxy on 169.254.169.254.
 */
function checkServerFlags(f: { ecs: boolean; ec2: boolean; json: boolean; noSession: boolean; profileEnv: boolean; ec2PortFlag: string | undefined; ec2PortEnv: string | undefined }): number | undefined {
  const fail = (message: string, hint?: string): never => {
    throw new VaultError('FLAGS_CONFLICT', message, hint ? { hint } : {});
  };
  if (f.ec2 && f.ecs) fail("Can't use --ec2-server with --ecs-server");
  if (f.ec2 && f.json) fail("Can't use --ec2-server with --json");
  if (f.ec2 && f.noSession) fail("Can't use --ec2-server with --no-session");
  if (f.ecs && f.json) fail("Can't use --ecs-server with --json");
  if (f.ecs && f.noSession) fail("Can't use --ecs-server with --no-session");
  if (f.ecs && f.profileEnv) fail("Can't use --ecs-server with --profile-env");
  if (f.ec2 && f.profileEnv) fail("Can't use --ec2-server with --profile-env");
  if (f.ec2PortFlag !== undefined && !f.ec2) fail("Can't use --ec2-server-port without --ec2-server");
  if (!f.ec2) return undefined;
  const text = f.ec2PortFlag ?? (f.ec2PortEnv || undefined);
  if (text === undefined) return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  const source = f.ec2PortFlag !== undefined ? `--ec2-server-port ${text}` : `${EC2_PORT_ENV}=${text}`;
  if (!(port >= 0 && port <= 65535)) fail(`${source} is not a port number`, 'use 0 to 65535; 0 picks a free port');
  return port;
}
