/**
 * A profile after resolution: flags, then environment, then the config file with
 * `include_profile` and `[default]` filling blanks (aws-vault's order). Durations are seconds.
 * @public
 */
export interface ProfileConfig {
  /** The profile's name as the user wrote it. */
  name: string;
  /** Whether a `[profile x]` / `[default]` section exists for it. */
  hasSection: boolean;
  region?: string;
  stsRegionalEndpoints?: 'regional' | 'legacy';
  endpointUrl?: string;
  /** Whether `endpointUrl` came from `AWS_ENDPOINT_URL` (which outranks a `[services]` section) rather than the file. */
  endpointUrlFromEnvironment?: boolean;
  /** Per-service endpoints of the profile's `services = name` section, by service id (`sts`, `sso_oidc`, …). */
  serviceEndpointUrls?: Record<string, string>;
  /** `ignore_configured_endpoint_urls = true` (or the variable): every configured endpoint is ignored. */
  ignoreConfiguredEndpointUrls?: boolean;
  mfaSerial?: string;
  mfaProcess?: string;
  /** A code given with `--mfa-token`; used for every MFA call in this run. */
  mfaToken?: string;
  roleArn?: string;
  roleSessionName?: string;
  externalId?: string;
  sourceIdentity?: string;
  sessionTags?: Record<string, string>;
  transitiveSessionTags?: string[];
  /** AssumeRole (and web identity) duration. */
  assumeRoleDuration: number;
  /** GetSessionToken duration when this profile is the target. */
  sessionTokenDuration: number;
  /** GetSessionToken duration when this profile is another profile's source. */
  chainedSessionTokenDuration: number;
  /** GetFederationToken duration (`login`). */
  federationTokenDuration: number;
  /** Whether `--duration` or an env TTL set the durations explicitly. */
  durationFromFlag: boolean;
  sourceProfileName?: string;
  /** The resolved source profile, when `source_profile` is set. */
  sourceProfile?: ProfileConfig;
  /** The profile that uses this one as its source. */
  chainedFrom?: ProfileConfig;
  ssoSession?: string;
  ssoStartUrl?: string;
  ssoRegion?: string;
  ssoAccountId?: string;
  ssoRoleName?: string;
  ssoRegistrationScopes?: string;
  webIdentityTokenFile?: string;
  webIdentityTokenProcess?: string;
  credentialProcess?: string;
  /** Which file each key came from, for error messages: key → file path. */
  origins: Record<string, string>;
}
