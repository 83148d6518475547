import { Args, Flags } from '@oclif/core';
import {
  clientConfigFor, consoleLoginUrl, consoleSignin, federationTokenProvider, requestSigninToken, resolveProfile, VaultError, type AwsConfig, type Credentials,
  type ProfileConfig,
} from '@awsvault/core';
import { credentialFlags } from '../credentialFlags.js';
import { browserArgs, BROWSER_KINDS, findBrowser, launchBrowser, type BrowserKind } from '../login/browserLaunch.js';
import { openUrl } from '../login/openUrl.js';
import { parseDurationFlag } from '../parseDurationFlag.js';
import { VaultCommand } from '../vaultCommand.js';

export default class Login extends VaultCommand {
  static override summary = 'Generate a login link for the AWS Console.';
  static override description =
    "Signs in to the AWS console with the profile's credentials: role and SSO sessions are used as they are, an IAM user's keys are first exchanged for a federated session (sts:GetFederationToken). Opens the link in the browser, or prints it with --stdout. Without a profile, the credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.";
  static override examples = [
    '<%= config.bin %> login dev',
    '<%= config.bin %> login --stdout --path s3 admin',
    '<%= config.bin %> login --region eu-west-1 admin',
  ];
  static override args = {
    profile: Args.string({ description: 'Name of the profile. If none given, credentials will be sourced from env vars', required: false }),
  };
  static override flags = {
    duration: Flags.string({ char: 'd', description: 'Duration of the assume-role or federated session. Defaults to 1h', env: 'AWS_VAULT_DURATION' }),
    'no-session': credentialFlags['no-session'],
    'mfa-token': credentialFlags['mfa-token'],
    path: Flags.string({ description: 'The AWS service you would like access' }),
    region: credentialFlags.region,
    stdout: Flags.boolean({ char: 's', description: 'Print login URL to stdout instead of opening in default browser', env: 'AWS_VAULT_STDOUT', default: false }),
    'auto-logout': Flags.boolean({ char: 'a', description: 'Auto logout when starting a new login', env: 'AWS_VAULT_AUTO_LOGOUT', default: false }),
    browser: Flags.string({
      description: 'Open the console in a browser identity of the profile\'s own: a Firefox container (needs the "Open external links in a container" add-on) or a Chrome/Chromium profile directory',
      options: [...BROWSER_KINDS],
      env: 'VAULT_LOGIN_BROWSER',
    }),
    'browser-path': Flags.string({ description: 'The browser program for --browser (default: firefox or firefox-esr; google-chrome, chromium or chromium-browser from PATH)', env: 'VAULT_LOGIN_BROWSER_PATH', helpValue: 'PATH' }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parseVault(Login);
    const env = this.env();
    const profileName = args.profile ?? (env['AWS_PROFILE'] || undefined);
    let profile: ProfileConfig;
    let credentials: Credentials;
    if (profileName !== undefined) {
      // The target never uses GetSessionToken: the console refuses such sessions (its sources may).
      const built = await this.profileProvider(profileName, flags, { noSessionForProfile: profileName });
      profile = built.profile;
      credentials = await built.provider();
    } else {
      const fromEnv = credentialsFromEnv(env);
      if (!fromEnv) {
        throw new VaultError('PROFILE_MISSING', 'no profile given, AWS_PROFILE is not set, and no AWS credentials are in the environment', {
          hint: 'vault login <profile>, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
        });
      }
      this.debugLog('using credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
      profile = environmentProfile(this.awsConfig(), env, flags);
      credentials = fromEnv;
    }

    if (!credentials.sessionToken) {
      this.debugLog(`profile ${profile.name || '(environment)'}: long-term keys; creating a federated session`);
      credentials = await federationTokenProvider({
        source: async () => credentials,
        profileName: profile.name || '(environment)',
        durationSeconds: profile.federationTokenDuration,
        stsConfig: clientConfigFor('sts', profile, env),
        iamConfig: clientConfigFor('iam', profile, env),
        debug: this.debugLog,
      })();
    }

    const signin = consoleSignin({ region: profile.region, path: flags.path, federationEndpoint: clientConfigFor('signin', profile, env).endpoint });
    const signinToken = await requestSigninToken(signin.federationUrl, credentials, { debug: this.debugLog });
    const url = consoleLoginUrl({ federationUrl: signin.federationUrl, destination: signin.destination, signinToken, autoLogout: flags['auto-logout'], logoutUrl: signin.logoutUrl });
    if (flags.stdout) {
      process.stdout.write(`${url}\n`);
      return;
    }
    if (flags.browser) {
      const kind = flags.browser as BrowserKind;
      const name = profile.name || 'environment';
      const { existsSync } = await import('node:fs');
      const browser = findBrowser(kind, env, { browserPath: flags['browser-path'], exists: existsSync });
      this.debugLog(`opening the login URL with ${browser} (${kind}, profile ${name})`);
      await launchBrowser(browser, browserArgs(kind, url, name, this.config.dataDir), env);
      return;
    }
    const opened = await openUrl(url, { debug: this.debugLog });
    if (!opened.ok) {
      process.stderr.write(`vault: could not open a browser (${opened.reason}); the login URL is on stdout\n`);
      process.stdout.write(`${url}\n`);
    }
  }
}

/** Static credentials from the environment, with the SDK's older aliases; undefined when incomplete. */
function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): Credentials | undefined {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'] || env['AWS_ACCESS_KEY'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'] || env['AWS_SECRET_KEY'];
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

/**
 * Region, endpoints and durations for credentials from the environment: flags and environment as
 * for any profile, and `[default]`'s region when neither names one. No other profile key applies.
 */
function environmentProfile(config: AwsConfig, env: Readonly<Record<string, string | undefined>>, flags: { region?: string | undefined; duration?: string | undefined }): ProfileConfig {
  const durationSeconds = flags.duration === undefined ? undefined : parseDurationFlag(flags.duration);
  const empty: AwsConfig = { paths: config.paths, profiles: new Map(), profileNames: [], ssoSessions: new Map(), credentialsProfiles: new Set() };
  const profile = resolveProfile(empty, '', { env, ...(flags.region ? { region: flags.region } : {}), ...(durationSeconds !== undefined ? { durationSeconds } : {}) });
  const defaultRegion = config.profiles.get('default')?.entries.get('region')?.value;
  if (!profile.region && defaultRegion) profile.region = defaultRegion;
  return profile;
}
