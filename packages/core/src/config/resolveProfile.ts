import { VaultError } from '../errors.js';
import type { AwsConfig } from './loadAwsConfig.js';
import { parseGoDuration } from './parseGoDuration.js';
import { parseSessionTags, parseTransitiveTags } from './parseSessionTags.js';
import type { ProfileConfig } from './ProfileConfig.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What the command line contributes; it outranks environment and files for every profile in a chain. @public */
export interface ResolveOptions {
  env: Env;
  region?: string;
  mfaToken?: string;
  /** `--duration`, in seconds. */
  durationSeconds?: number;
}

interface Value {
  value: string;
  /** `<file>:<line>` or `environment variable X` or `--flag`, for messages. */
  origin: string;
}

const HOUR = 3600;
/** Far beyond any real chain; deeper ones are refused with a message instead of exhausting the stack. */
export const MAX_CHAIN_DEPTH = 256;
const ENDPOINT_URL = /^https?:\/\/[^\s/]+/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ENV_FOR_CHAIN: ReadonlyArray<[string, string]> = [
  ['AWS_STS_REGIONAL_ENDPOINTS', 'sts_regional_endpoints'],
  ['AWS_ENDPOINT_URL', 'endpoint_url'],
  ['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'ignore_configured_endpoint_urls'],
  ['AWS_MFA_SERIAL', 'mfa_serial'],
];
const ENV_FOR_TARGET: ReadonlyArray<[string, string]> = [
  ['AWS_ROLE_ARN', 'role_arn'],
  ['AWS_ROLE_SESSION_NAME', 'role_session_name'],
  ['AWS_SESSION_TAGS', 'session_tags'],
  ['AWS_TRANSITIVE_TAGS', 'transitive_session_tags'],
  ['AWS_SOURCE_IDENTITY', 'source_identity'],
];

/**
 * Resolves a profile as aws-vault does: flags, then environment, then the profile's section with
 * `sso_session`, `include_profile` and `[default]` filling what is still blank; then its
 * `source_profile`, recursively. Unlike aws-vault, a `source_profile` loop is an error, and so is
 * any malformed value. @public
 */
export function resolveProfile(config: AwsConfig, name: string, options: ResolveOptions): ProfileConfig {
  return resolveInChain(config, name, options, [], undefined);
}

function resolveInChain(config: AwsConfig, name: string, options: ResolveOptions, chain: string[], chainedFrom: ProfileConfig | undefined): ProfileConfig {
  if (chain.includes(name)) {
    throw new VaultError('CONFIG_LOOP', `profile ${chain[0]}: source_profile loop ${[...chain, name].join(' -> ')} in ${config.paths.configFile}`, {
      hint: 'make one profile of the loop hold credentials instead of a source_profile',
    });
  }
  if (chain.length >= MAX_CHAIN_DEPTH) {
    throw new VaultError('CONFIG_TOO_DEEP', `profile ${chain[0]}: source_profile chain is deeper than ${MAX_CHAIN_DEPTH} profiles in ${config.paths.configFile}`, {
      hint: 'shorten the chain of source_profile settings',
    });
  }
  const isTarget = chainedFrom === undefined;
  const values = new Map<string, Value>();
  const fill = (key: string, value: string | undefined, origin: string) => {
    if (value !== undefined && value !== '' && !values.has(key)) values.set(key, { value, origin });
  };
  if (options.region) fill('region', options.region, '--region');
  const env = options.env;
  fill('region', env['AWS_REGION'], 'environment variable AWS_REGION');
  fill('region', env['AWS_DEFAULT_REGION'], 'environment variable AWS_DEFAULT_REGION');
  for (const [variable, key] of ENV_FOR_CHAIN) fill(key, env[variable], `environment variable ${variable}`);
  if (isTarget) for (const [variable, key] of ENV_FOR_TARGET) fill(key, env[variable], `environment variable ${variable}`);
  fillFromFile(config, name, fill, []);
  applySsoSession(config, name, values);
  if (values.get('source_profile')?.value === name) values.delete('source_profile');

  const profile = buildProfile(config, name, values, options, chainedFrom);
  const sourceName = values.get('source_profile')?.value;
  if (sourceName !== undefined) {
    profile.sourceProfileName = sourceName;
    const source = resolveInChain(config, sourceName, options, [...chain, name], profile);
    if (profile.mfaProcess === undefined && source.mfaProcess !== undefined) profile.mfaProcess = source.mfaProcess;
    profile.sourceProfile = source;
  }
  return profile;
}

function fillFromFile(config: AwsConfig, name: string, fill: (key: string, value: string, origin: string) => void, includes: string[]): void {
  if (includes.includes(name)) {
    throw new VaultError('CONFIG_LOOP', `profile ${includes[0]}: include_profile loop ${[...includes, name].join(' -> ')} in ${config.paths.configFile}`);
  }
  if (includes.length > MAX_CHAIN_DEPTH) {
    throw new VaultError('CONFIG_TOO_DEEP', `profile ${includes[0]}: include_profile chain is deeper than ${MAX_CHAIN_DEPTH} profiles in ${config.paths.configFile}`, {
      hint: 'shorten the chain of include_profile settings',
    });
  }
  const section = config.profiles.get(name);
  for (const [key, entry] of section?.entries ?? []) fill(key, entry.value, `${section?.file}:${entry.line}`);
  const include = section?.entries.get('include_profile')?.value;
  if (include) fillFromFile(config, include, fill, [...includes, name]);
  else if (name !== 'default') fillFromFile(config, 'default', fill, [...includes, name]);
}

function applySsoSession(config: AwsConfig, name: string, values: Map<string, Value>): void {
  const sessionName = values.get('sso_session');
  if (!sessionName) return;
  const session = config.ssoSessions.get(sessionName.value);
  if (!session) {
    throw new VaultError('CONFIG_INVALID', `profile ${name}: sso_session = ${sessionName.value} (${sessionName.origin}) has no [sso-session ${sessionName.value}] section`, {
      hint: `add [sso-session ${sessionName.value}] with sso_start_url and sso_region to ${config.paths.configFile}`,
    });
  }
  // The session's values win over inline ones, as in aws-vault and the AWS CLI.
  for (const key of ['sso_start_url', 'sso_region', 'sso_registration_scopes']) {
    const entry = session.entries.get(key);
    if (entry && entry.value !== '') values.set(key, { value: entry.value, origin: `${session.file}:${entry.line}` });
  }
}

function buildProfile(config: AwsConfig, name: string, values: Map<string, Value>, options: ResolveOptions, chainedFrom: ProfileConfig | undefined): ProfileConfig {
  const invalid = (key: string, what: string, hint?: string): VaultError => {
    const v = values.get(key);
    return new VaultError('CONFIG_INVALID', `profile ${name}: ${key} = ${v?.value} (${v?.origin}) ${what}`, hint === undefined ? {} : { hint });
  };
  const get = (key: string) => values.get(key)?.value;
  const envDuration = (variable: string): number | undefined => {
    const text = options.env[variable];
    if (text === undefined || text === '') return undefined;
    const ms = parseGoDuration(text);
    if (ms === undefined || ms < 0) {
      throw new VaultError('ENV_INVALID', `environment variable ${variable}=${text} is not a duration`, { hint: 'use a duration with a unit, such as 1h, 90m or 3600s' });
    }
    return Math.trunc(ms / 1000) || undefined; // 0 means unset, as in aws-vault
  };

  let durationSeconds: number | undefined;
  const durationText = get('duration_seconds');
  if (durationText !== undefined) {
    if (!/^\d+$/.test(durationText)) throw invalid('duration_seconds', 'is not a whole number of seconds', 'write seconds without a unit, e.g. duration_seconds = 3600');
    durationSeconds = Number(durationText) || undefined;
  }
  const flag = options.durationSeconds || undefined;
  const profile: ProfileConfig = {
    name,
    hasSection: config.profiles.has(name) || config.credentialsProfiles.has(name),
    assumeRoleDuration: flag ?? envDuration('AWS_ASSUME_ROLE_TTL') ?? durationSeconds ?? HOUR,
    sessionTokenDuration: flag ?? envDuration('AWS_SESSION_TOKEN_TTL') ?? HOUR,
    chainedSessionTokenDuration: flag ?? envDuration('AWS_CHAINED_SESSION_TOKEN_TTL') ?? 8 * HOUR,
    federationTokenDuration: flag ?? envDuration('AWS_FEDERATION_TOKEN_TTL') ?? HOUR,
    durationFromFlag: flag !== undefined,
    origins: Object.fromEntries([...values].map(([key, v]) => [key, v.origin])),
  };
  if (chainedFrom) profile.chainedFrom = chainedFrom;
  if (options.mfaToken) profile.mfaToken = options.mfaToken;

  const simple: Array<[string, keyof ProfileConfig]> = [
    ['region', 'region'], ['mfa_serial', 'mfaSerial'], ['mfa_process', 'mfaProcess'], ['role_session_name', 'roleSessionName'],
    ['external_id', 'externalId'], ['source_identity', 'sourceIdentity'], ['sso_session', 'ssoSession'], ['sso_start_url', 'ssoStartUrl'],
    ['sso_region', 'ssoRegion'], ['sso_account_id', 'ssoAccountId'], ['sso_role_name', 'ssoRoleName'],
    ['sso_registration_scopes', 'ssoRegistrationScopes'], ['web_identity_token_file', 'webIdentityTokenFile'],
    ['web_identity_token_process', 'webIdentityTokenProcess'], ['credential_process', 'credentialProcess'],
  ];
  for (const [key, field] of simple) {
    const value = get(key);
    if (value !== undefined) (profile as unknown as Record<string, unknown>)[field] = value;
  }

  const roleArn = get('role_arn');
  if (roleArn !== undefined) {
    if (!ROLE_ARN.test(roleArn)) throw invalid('role_arn', 'is not an IAM role ARN', 'use the form arn:aws:iam::123456789012:role/name');
    profile.roleArn = roleArn;
  }
  const regional = get('sts_regional_endpoints');
  if (regional !== undefined) {
    if (regional !== 'regional' && regional !== 'legacy') throw invalid('sts_regional_endpoints', 'must be regional or legacy');
    profile.stsRegionalEndpoints = regional;
  }
  const endpoint = get('endpoint_url');
  if (endpoint !== undefined) {
    if (!ENDPOINT_URL.test(endpoint)) throw invalid('endpoint_url', 'is not an http(s) URL');
    profile.endpointUrl = endpoint;
    if (values.get('endpoint_url')?.origin.startsWith('environment')) profile.endpointUrlFromEnvironment = true;
  }
  const ignore = get('ignore_configured_endpoint_urls');
  if (ignore !== undefined) {
    if (!/^(true|false)$/i.test(ignore)) throw invalid('ignore_configured_endpoint_urls', 'must be true or false');
    if (ignore.toLowerCase() === 'true') profile.ignoreConfiguredEndpointUrls = true;
  }
  const servicesName = get('services');
  const services = servicesName === undefined ? undefined : config.services?.get(servicesName);
  // A missing [services name] section is ignored, as the AWS SDKs ignore it.
  if (services) {
    for (const [service, keys] of services.byService) {
      const url = keys.get('endpoint_url');
      if (url === undefined || url.value === '') continue;
      if (!ENDPOINT_URL.test(url.value)) {
        throw new VaultError('CONFIG_INVALID', `profile ${name}: endpoint_url = ${url.value} for ${service} in [services ${services.name}] (${services.file}:${url.line}) is not an http(s) URL`);
      }
      (profile.serviceEndpointUrls ??= {})[service] = url.value;
    }
  }
  const tags = get('session_tags');
  if (tags !== undefined) {
    const parsed = parseSessionTags(tags);
    if (!parsed) throw invalid('session_tags', 'is not key=value[,key=value...]');
    profile.sessionTags = parsed;
  }
  const transitive = get('transitive_session_tags');
  if (transitive !== undefined) profile.transitiveSessionTags = parseTransitiveTags(transitive);
  return profile;
}
