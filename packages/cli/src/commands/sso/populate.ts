import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Flags } from '@oclif/core';
import {
  writeFileAtomic,
  askOnTerminal, clientConfigFor, defaultLockDir, hasTerminal, homeDirectory, isVaultError, resolveProfile, VaultError, withFileLock,
  type AwsConfig, type ProfileConfig,
} from '@awsvault/core';
import { credentialFlags } from '../../credentialFlags.js';
import { VaultCommand } from '../../vaultCommand.js';

const DEFAULT_RATE = 10;

export default class SsoPopulate extends VaultCommand {
  static override summary = 'Write a profile for every account role IAM Identity Center gives you.';
  static override description =
    'Lists the accounts and roles of the access portal (sso:ListAccounts, sso:ListAccountRoles) with the SSO token vault keeps (signing in when needed), and writes one profile per role into the AWS config file, inside a block marked with comments per sso-session. Profiles written by hand are never changed. Requests are spaced to stay below the portal\'s quota, throttled ones are retried with backoff, and a run that stops continues where it stopped.';
  static override examples = [
    '<%= config.bin %> sso populate --sso-session corp',
    '<%= config.bin %> sso populate --sso-session corp --dry-run',
    "<%= config.bin %> sso populate --profile sso-admin --profile-template '{session}-{account_name}-{role_name}' --region eu-west-1",
    '<%= config.bin %> sso populate --sso-session corp --prune --yes --config output=json',
  ];
  static override flags = {
    'sso-session': Flags.string({ description: 'The [sso-session] section to list', exclusive: ['profile'] }),
    profile: Flags.string({ char: 'p', description: 'A profile whose sso_session to list', exclusive: ['sso-session'] }),
    'profile-template': Flags.string({
      description: 'Name of each profile: {account_name}, {account_id}, {role_name}, {session}; values are lower-cased, spaces become -',
      default: '{account_name}-{role_name}',
    }),
    region: Flags.string({ description: 'region of the profiles written (default: the sso_region)' }),
    config: Flags.string({ description: 'Another key=value for every profile written (repeatable)', multiple: true }),
    prune: Flags.boolean({ description: 'Remove generated profiles whose account role is gone (asks first)', default: false }),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask before pruning', default: false }),
    'dry-run': Flags.boolean({ description: 'Print the change to the config file as a unified diff; change nothing', default: false }),
    strict: Flags.boolean({ description: 'A profile name already used by a hand-written profile is an error, not a skipped profile', default: false }),
    rate: Flags.string({ description: `Portal requests per second (default ${DEFAULT_RATE}; the portal allows about 20)`, default: String(DEFAULT_RATE) }),
    'max-retries': Flags.integer({ description: 'Retries of a throttled request before giving up', min: 0, max: 50, default: 8 }),
    stdout: credentialFlags.stdout,
  };

  async run(): Promise<void> {
    const { flags } = await this.parseVault(SsoPopulate);
    const sso = await import('@awsvault/plugin-source-sso');
    const env = this.env();
    const home = homeDirectory(env);
    const config = this.awsConfig();
    const { session, profile, label } = ssoInstance(config, env, flags['sso-session'], flags.profile);
    sso.checkProfileTemplate(flags['profile-template']);
    const extra = (flags.config ?? []).map((text) => sso.parseExtraKey(text));
    const rate = Number(flags.rate);
    const limiter = new sso.RateLimiter(rate);
    const site = sso.portalSite(profile, label);
    const region = flags.region ?? site.region;
    if (!/^[a-z0-9-]+$/.test(region)) throw new VaultError('FLAG_INVALID', `--region ${region} is not a region name`);

    const backend = await this.openBackend(flags);
    const tokens = sso.portalTokenSource(profile, site, { backend, env, debug: this.debugLog, ...(flags.stdout ? { stdout: true } : {}) });
    const progressFile = new sso.DiscoveryProgressFile(sso.discoveryProgressPath(home, site.startUrl), this.debugLog);
    const directory = await sso.loadSsoDirectory(clientConfigFor('sso', profile, env));
    const progress = progressLine(process.stderr.isTTY === true);
    let throttled = 0;
    const discover = (accessToken: string) =>
      sso.discoverAssignments({
        api: directory,
        accessToken,
        startUrl: site.startUrl,
        store: progressFile,
        retry: {
          limiter,
          maxRetries: flags['max-retries'],
          onThrottled: (call, attempt, waitMs) => {
            throttled++;
            this.debugLog(`${call}: throttled (429), retry ${attempt} in ${waitMs} ms`);
          },
        },
        onProgress: (done, total) => progress(`listing roles: ${done}/${total} accounts`),
      });

    let { token, loggedIn } = await tokens.current();
    const secrets = () => [token.accessToken, token.refreshToken];
    let discovery;
    try {
      try {
        discovery = await discover(token.accessToken);
      } catch (error) {
        if (!sso.isUnauthorized(error) || loggedIn) throw error;
        // A stored token the portal no longer accepts: sign in once more; saved progress is kept.
        this.debugLog(`the access portal rejected the SSO token for ${site.startUrl} (401); signing in again once`);
        ({ token, loggedIn } = await tokens.current({ rejected: token.accessToken }));
        discovery = await discover(token.accessToken);
      }
    } catch (error) {
      progress(undefined);
      if (isVaultError(error)) throw error;
      throw sso.ssoCallError(site.site, 'listing accounts and roles', error, { secrets: secrets() });
    }
    progress(undefined);
    this.debugLog(`${discovery.assignments.length} roles in ${new Set(discovery.assignments.map((a) => a.accountId)).size} accounts (${discovery.resumedAccounts} accounts from saved progress, ${throttled} throttled requests retried)`);

    const profiles = sso.generatedProfiles(discovery.assignments, { template: flags['profile-template'], session, region, extra });
    const file = config.paths.configFile;
    await withFileLock(defaultLockDir(env, home), `aws-config ${file}`, async () => {
      const before = readText(file);
      const merged = sso.mergeGeneratedBlock({ text: before, file, session, profiles, prune: flags.prune, strict: flags.strict });
      for (const s of merged.skipped) process.stderr.write(`vault: warning: not writing profile ${s.name}: it is already ${s.reason} (use --profile-template to pick other names)\n`);
      if (flags['dry-run']) {
        process.stdout.write(sso.unifiedDiff(before, merged.text, file));
        process.stderr.write(`${summary(merged, session, file, flags.prune, true)}\n`);
        return;
      }
      if (flags.prune && merged.stale.length > 0 && !flags.yes) await confirmPrune(merged.stale.map((s) => s.name), file, env);
      if (merged.text !== before) {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        writeFileAtomic(file, merged.text, { keepMode: true, mode: 0o600 });
      }
      process.stderr.write(`${summary(merged, session, file, flags.prune, false)}\n`);
    });
    progressFile.clear();
  }
}

/** The sso-session to list and a profile to resolve its settings (start URL, region, endpoints) from. */
function ssoInstance(config: AwsConfig, env: Readonly<Record<string, string | undefined>>, sessionFlag: string | undefined, profileFlag: string | undefined): { session: string; profile: ProfileConfig; label: string } {
  if (sessionFlag === undefined && profileFlag === undefined) {
    const names = [...config.ssoSessions.keys()];
    if (names.length !== 1) {
      throw new VaultError('FLAG_INVALID', names.length === 0 ? `no [sso-session] section in ${config.paths.configFile}` : `${config.paths.configFile} has ${names.length} [sso-session] sections (${names.join(', ')}); say which`, {
        hint: names.length === 0 ? 'add [sso-session <name>] with sso_start_url and sso_region, then run vault sso populate --sso-session <name>' : 'use --sso-session <name>',
      });
    }
    sessionFlag = names[0] as string;
  }
  if (profileFlag !== undefined) {
    const profile = resolveProfile(config, profileFlag, { env });
    if (!profile.ssoSession) {
      throw new VaultError('SSO_CONFIG_INVALID', `profile ${profileFlag} has no sso_session`, {
        hint: profile.ssoStartUrl ? `move its sso_start_url and sso_region into an [sso-session] section and set sso_session in [profile ${profileFlag}]` : 'use --sso-session <name>, or a profile with sso_session',
      });
    }
    return { session: profile.ssoSession, profile, label: `profile ${profileFlag}` };
  }
  const session = sessionFlag as string;
  if (!config.ssoSessions.has(session)) {
    throw new VaultError('SSO_CONFIG_INVALID', `no [sso-session ${session}] in ${config.paths.configFile}`, { hint: 'add it with sso_start_url and sso_region, or check the name' });
  }
  if (!/^\S+$/.test(session)) throw new VaultError('SSO_CONFIG_INVALID', `[sso-session ${session}] in ${config.paths.configFile}: a name with spaces cannot be used in sso_session`);
  // Resolved like a profile that only says `sso_session = <name>`, so the environment and [default]
  // (endpoint_url) apply as they will to the profiles written.
  const synthetic = `[sso-session ${session}]`;
  const withSession: AwsConfig = {
    ...config,
    profiles: new Map([...config.profiles, [synthetic, { name: synthetic, file: config.paths.configFile, line: 0, entries: new Map([['sso_session', { value: session, line: 0 }]]) }]]),
  };
  return { session, profile: resolveProfile(withSession, synthetic, { env }), label: synthetic };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new VaultError('CONFIG_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`);
  }
}

async function confirmPrune(names: string[], file: string, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const what = `--prune would remove ${names.length} generated profile${names.length === 1 ? '' : 's'} from ${file} (${shortList(names)})`;
  if (env['VAULT_NON_INTERACTIVE'] === '1' || !hasTerminal()) {
    throw new VaultError('NO_TERMINAL', `${what} and no terminal is available to confirm; nothing was changed`, { hint: 'run it in a terminal, or add --yes' });
  }
  const answer = await askOnTerminal(`${what}. Remove them? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) throw new VaultError('PRUNE_DECLINED', `not pruning ${file}; nothing was changed`, { hint: 'run without --prune to keep them' });
}

function shortList(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

function summary(
  merged: { added: string[]; updated: string[]; unchanged: string[]; stale: Array<{ name: string }>; renamed: Array<{ name: string }>; skipped: unknown[] },
  session: string,
  file: string,
  prune: boolean,
  dryRun: boolean,
): string {
  const total = merged.added.length + merged.updated.length + merged.unchanged.length;
  const parts = [`${merged.added.length} added`, `${merged.updated.length} updated`, `${merged.unchanged.length} unchanged`];
  if (merged.renamed.length > 0) parts.push(`${merged.renamed.length} renamed`);
  if (merged.skipped.length > 0) parts.push(`${merged.skipped.length} skipped`);
  if (prune) parts.push(`${merged.stale.length} removed`);
  const lines = [`${dryRun ? 'would write' : 'wrote'} ${total} profiles for sso-session ${session} to ${file} (${parts.join(', ')})`];
  if (!prune && merged.stale.length > 0) {
    lines.push(`kept ${merged.stale.length} generated profile${merged.stale.length === 1 ? '' : 's'} whose role is no longer listed (--prune removes them): ${shortList(merged.stale.map((s) => s.name))}`);
  }
  return lines.join('\n');
}

/** One status line rewritten in place, on a terminal only; `undefined` erases it. */
function progressLine(enabled: boolean): (text: string | undefined) => void {
  let shown = false;
  let last = 0;
  return (text) => {
    if (!enabled) return;
    if (text === undefined) {
      if (shown) process.stderr.write('\r\x1b[2K');
      shown = false;
      return;
    }
    const now = Date.now();
    if (shown && now - last < 100) return;
    last = now;
    shown = true;
    process.stderr.write(`\r\x1b[2K${text}`);
  };
}
