import type { Backend } from '../backend.js';
import type { ProfileConfig } from '../config/ProfileConfig.js';
import { formatGoDuration, parseGoDuration } from '../config/parseGoDuration.js';
import type { CredentialProvider } from '../credentials.js';
import { VaultError } from '../errors.js';
import { silentLogger, type DebugLogger } from '../logger.js';
import type { MfaPrompt } from '../prompt.js';
import type { SourceContext, SourceDefinition } from '../source.js';
import { CredentialStore } from '../store/credentialStore.js';
import { SessionStore } from '../store/sessionStore.js';
import { assumeRoleProvider } from './assumeRoleProvider.js';
import { cachedSessionProvider, DEFAULT_MIN_TTL_SECONDS } from './cachedSessionProvider.js';
import { clientConfigFor } from './clientConfigFor.js';
import { loadSts } from './loadSts.js';
import { withFileLock } from '../lock/withFileLock.js';
import { masterCredentialsProvider } from './masterCredentialsProvider.js';
import { mfaCodeSource, type MfaCodeSource } from './mfaCodeSource.js';
import { sessionTokenProvider } from './sessionTokenProvider.js';
import type { StsFactory } from './stsApi.js';

/** What composing a provider needs. @public */
export interface ProviderOptions {
  backend: Backend;
  env: Readonly<Record<string, string | undefined>>;
  mfaPrompt: MfaPrompt;
  /** Credential sources from plugins (SSO, web identity, credential_process), in priority order. */
  sources?: readonly SourceDefinition[];
  debug?: DebugLogger;
  /** `--no-session`: never call GetSessionToken. */
  noSession?: boolean;
  /** `login`: this profile must not use GetSessionToken (its sources may). */
  noSessionForProfile?: string;
  /** `rotate` turns the session cache off. */
  useCache?: boolean;
  /** `--stdout`: print URLs instead of opening a browser. */
  stdout?: boolean;
  sts?: StsFactory;
  now?: () => number;
  /** Where cross-process locks live; without it, parallel processes may each refresh a session. */
  lockDir?: string;
  /** The config files that were read, for "not found" messages. */
  configFiles?: readonly string[];
}

/** How a link of the chain was made, which decides what the next link may do. */
interface Link {
  provider: CredentialProvider;
  kind: 'master' | 'sessionToken' | 'assumeRole' | 'source';
  /** The MFA serial a GetSessionToken further down already satisfied. */
  chainedMfa?: string;
}

const ONE_HOUR = 3600;

/**
 * Composes the provider for a profile, as aws-vault (ByteNess 7.11+) does, logging each choice:
 * stored keys or a `source_profile` chain first (GetSessionToken only where it helps, AssumeRole
 * for `role_arn`), then the first credential source that claims the profile. Nothing is called
 * until the returned provider is. @public
 */
export async function providerForProfile(profile: ProfileConfig, options: ProviderOptions): Promise<CredentialProvider> {
  const debug = options.debug ?? silentLogger;
  const listing = await options.backend.keys();
  const storedKeys = new Set(listing);
  if (!profile.hasSection && !storedKeys.has(profile.name)) {
    const where = options.configFiles?.length ? options.configFiles.join(' or ') : 'the AWS config';
    throw new VaultError('PROFILE_NOT_FOUND', `profile ${profile.name} not found in ${where} and no stored credentials exist for it`, {
      hint: `add [profile ${profile.name}] to your AWS config, or run \`vault add ${profile.name}\``,
    });
  }
  const composer = new ChainComposer(options, storedKeys, listing, debug);
  return (await composer.build(profile)).provider;
}

class ChainComposer {
  private readonly credentials: CredentialStore;
  private readonly sessions: SessionStore;
  private readonly mfaCode: MfaCodeSource;
  private readonly sts: StsFactory;
  private readonly minTtlSeconds: number;

  constructor(private readonly options: ProviderOptions, private readonly storedKeys: Set<string>, listing: readonly string[], private readonly debug: DebugLogger) {
    this.credentials = new CredentialStore(options.backend);
    this.sessions = new SessionStore(options.backend, { debug, primedKeys: listing, ...(options.now ? { now: options.now } : {}) });
    this.mfaCode = mfaCodeSource(options.mfaPrompt, debug);
    this.sts = options.sts ?? loadSts;
    this.minTtlSeconds = minTtl(options.env);
  }

  async build(profile: ProfileConfig): Promise<Link> {
    if (this.storedKeys.has(profile.name) || profile.sourceProfile) return this.sourceChain(profile);
    const source = this.options.sources?.find((s) => s.matches(profile));
    if (source) {
      this.debug(`profile ${profile.name}: using credential source ${source.name}`);
      const inner = await source.create(profile, this.sourceContext());
      return { provider: this.cached(inner, source.sessionType, profile.name, source.sessionKeyDetail?.(profile) ?? ''), kind: 'source' };
    }
    if (profile.chainedFrom && !profile.hasSection) {
      throw new VaultError('PROFILE_NOT_FOUND', `profile ${profile.chainedFrom.name}: source_profile ${profile.name} is not in the AWS config and has no stored credentials`, {
        hint: `run \`vault add ${profile.name}\`, or fix source_profile of ${profile.chainedFrom.name}`,
      });
    }
    throw new VaultError('NO_CREDENTIALS', `profile ${profile.name}: no stored credentials and no source (sso, web identity, credential_process)`, {
      hint: `run \`vault add ${profile.name}\``,
    });
  }

  private async sourceChain(profile: ProfileConfig): Promise<Link> {
    let link: Link;
    if (this.storedKeys.has(profile.name)) {
      link = { provider: masterCredentialsProvider(this.credentials, profile.name, this.debug), kind: 'master' };
    } else {
      link = await this.build(profile.sourceProfile as ProfileConfig);
    }

    if (link.kind === 'master') {
      const feedsRole = profile.chainedFrom?.roleArn !== undefined;
      const blocked = !profile.roleArn || feedsRole
        ? keepsFullDuration(profile) ? 'the role keeps its full duration when assumed from long-term keys' : this.sessionTokenBlocked(profile)
        : 'the profile assumes its role directly from its own keys';
      if (blocked) {
        this.debug(`profile ${profile.name}: skipping GetSessionToken because ${blocked}`);
      } else {
        const chained = profile.chainedFrom !== undefined;
        const duration = chained ? profile.chainedSessionTokenDuration : profile.sessionTokenDuration;
        this.debug(`profile ${profile.name}: using GetSessionToken${profile.mfaSerial ? ' with MFA' : ''} for ${formatGoDuration(duration * 1000)}`);
        const gst = sessionTokenProvider({
          source: link.provider,
          profile,
          durationSeconds: duration,
          ...(profile.mfaSerial ? { mfaSerial: profile.mfaSerial } : {}),
          mfaCode: this.mfaCode,
          clientConfig: clientConfigFor('sts', profile, this.options.env),
          sts: this.sts,
          debug: this.debug,
        });
        link = { provider: this.cached(gst, 'sts.GetSessionToken', profile.name, profile.mfaSerial ?? ''), kind: 'sessionToken' };
        if (profile.mfaSerial) link.chainedMfa = profile.mfaSerial;
      }
    }

    if (!profile.roleArn) return link;
    let duration = profile.assumeRoleDuration;
    if ((link.kind === 'sessionToken' || link.kind === 'assumeRole') && duration > ONE_HOUR) {
      this.debug(`profile ${profile.name}: capping AssumeRole duration from ${formatGoDuration(duration * 1000)} to AWS maximum 1h0m0s for role chaining`);
      duration = ONE_HOUR;
    }
    let mfaSerial = profile.mfaSerial;
    if (mfaSerial && mfaSerial === link.chainedMfa) {
      this.debug(`profile ${profile.name}: MFA ${mfaSerial} already satisfied by the GetSessionToken session, not asking again`);
      mfaSerial = undefined;
    }
    this.debug(`profile ${profile.name}: using AssumeRole ${profile.roleArn}${mfaSerial ? ' with MFA' : ''} from ${link.kind === 'master' ? 'long-term keys' : `a ${link.kind} session`}`);
    const assume = assumeRoleProvider({
      source: link.provider,
      profile,
      roleArn: profile.roleArn,
      durationSeconds: duration,
      ...(mfaSerial ? { mfaSerial } : {}),
      mfaCode: this.mfaCode,
      clientConfig: clientConfigFor('sts', profile, this.options.env),
      sts: this.sts,
      debug: this.debug,
    });
    // aws-vault caches a role session only when it was made with MFA; chained roles are re-assumed.
    const provider = mfaSerial ? this.cached(assume, 'sts.AssumeRole', profile.name, mfaSerial) : assume;
    const next: Link = { provider, kind: 'assumeRole' };
    if (link.chainedMfa) next.chainedMfa = link.chainedMfa;
    return next;
  }

  private sessionTokenBlocked(profile: ProfileConfig): string | undefined {
    if (this.options.noSession) return '--no-session was given';
    if (this.options.noSessionForProfile === profile.name) return 'login federates long-term keys directly';
    const consumer = profile.chainedFrom;
    if (!consumer) return undefined;
    if (!consumer.mfaSerial) return `profile ${consumer.name} has no mfa_serial`;
    if (!profile.mfaSerial) return 'it has no mfa_serial';
    if (consumer.mfaSerial !== profile.mfaSerial) return `its mfa_serial differs from profile ${consumer.name}'s`;
    return undefined;
  }

  private cached<T extends CredentialProvider>(inner: T, type: string, profileName: string, detail: string): CredentialProvider {
    if (this.options.useCache === false) return inner;
    return cachedSessionProvider(inner, {
      sessions: this.sessions,
      type,
      profileName,
      detail,
      minTtlSeconds: this.minTtlSeconds,
      debug: this.debug,
      ...(this.options.now ? { now: this.options.now } : {}),
      ...(this.options.lockDir ? { lock: <R>(name: string, fn: () => Promise<R>) => withFileLock(this.options.lockDir as string, name, fn, this.debug) } : {}),
    });
  }

  private sourceContext(): SourceContext {
    const ctx: SourceContext = {
      backend: this.options.backend,
      mfaPrompt: this.options.mfaPrompt,
      clientConfig: (service, profile) => clientConfigFor(service, profile, this.options.env),
      env: this.options.env,
      debug: this.debug,
    };
    if (this.options.stdout) ctx.stdout = true;
    return ctx;
  }
}

/** True when exactly one profile from here up to the target assumes a role, for longer than an hour. */
function keepsFullDuration(profile: ProfileConfig): boolean {
  let roles = 0;
  let long = false;
  for (let p: ProfileConfig | undefined = profile; p; p = p.chainedFrom) {
    if (p.roleArn) {
      roles++;
      long = p.assumeRoleDuration > ONE_HOUR;
    }
  }
  return roles === 1 && long;
}

/** `AWS_MIN_TTL` (a Go duration), default 5 minutes. */
function minTtl(env: Readonly<Record<string, string | undefined>>): number {
  const text = env['AWS_MIN_TTL'];
  if (!text) return DEFAULT_MIN_TTL_SECONDS;
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0) throw new VaultError('ENV_INVALID', `environment variable AWS_MIN_TTL=${text} is not a duration`, { hint: 'use a duration with a unit, such as 5m' });
  return Math.trunc(ms / 1000);
}
