import type { Credentials } from '../credentials.js';
import { sdkHttpOptions } from './sdkHttpOptions.js';
import { VaultError } from '../errors.js';
import { awsErrorCode } from './awsErrorCode.js';
import type { ClientConfig } from '../source.js';
import type { SessionCredentials, StsApi, StsFactory, WebIdentityCredentials } from './stsApi.js';

/**
 * The only importer of `@aws-sdk/client-sts`, and only when an STS call is really made: the SDK costs
 * ~50 ms to load, which a cached `vault export` must not pay.
 * @public
 */
export const loadSts: StsFactory = async (config: ClientConfig, credentials: Credentials): Promise<StsApi> => {
  const sdk = await import('@aws-sdk/client-sts');
  const client = withoutSdkNodeWarning(() => new sdk.STSClient(sdkClientOptions(config, credentials)));
  let anonymous: InstanceType<typeof sdk.STSClient> | undefined;
  const toSession = (result: { Credentials?: { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined; Expiration?: Date | undefined } | undefined }): SessionCredentials => {
    const c = result.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.Expiration) throw new VaultError('STS_BAD_RESPONSE', 'STS answered without credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), expiration: c.Expiration };
  };
  return {
    getSessionToken: async (input) => toSession(await client.send(new sdk.GetSessionTokenCommand(input))),
    assumeRole: async (input) => toSession(await client.send(new sdk.AssumeRoleCommand(input))),
    getFederationToken: async (input) => toSession(await client.send(new sdk.GetFederationTokenCommand(input))),
    getCallerIdentity: async () => {
      const out = await client.send(new sdk.GetCallerIdentityCommand({}));
      return { Account: out.Account ?? '', Arn: out.Arn ?? '', UserId: out.UserId ?? '' };
    },
    assumeRoleWithWebIdentity: async (input) => {
      // A client of its own, built without credentials: the SDK models this operation as
      // `smithy.api#noAuth` (then sigv4a), so it is sent unsigned and no credentials are ever
      // resolved. An empty scheme preference keeps `auth_scheme_preference` in the user's AWS config
      // from moving sigv4a first.
      anonymous ??= withoutSdkNodeWarning(() => new sdk.STSClient({ ...sdkClientOptions(config), authSchemePreference: [] }));
      const out = await anonymous.send(new sdk.AssumeRoleWithWebIdentityCommand(input));
      const result: WebIdentityCredentials = toSession(out);
      if (out.AssumedRoleUser?.Arn) result.assumedRoleArn = out.AssumedRoleUser.Arn;
      if (out.SubjectFromWebIdentityToken) result.subject = out.SubjectFromWebIdentityToken;
      if (out.Provider) result.provider = out.Provider;
      if (out.Audience) result.audience = out.Audience;
      return result;
    },
  };
};

/**
 * The options every AWS SDK client vault builds shares: the region and endpoint vault resolved, the
 * given credentials (none for an unsigned call), no re-reading of endpoint settings by the SDK
 * (vault resolves them itself: env, profile, sso-session) and bounded timeouts (`sdkHttpOptions`).
 * @public
 */
export function sdkClientOptions(
  config: ClientConfig,
  credentials?: Credentials,
): { region: string; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }; ignoreConfiguredEndpointUrls: boolean } & ReturnType<typeof sdkHttpOptions> {
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(credentials
      ? {
          credentials: {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
          },
        }
      : {}),
    ignoreConfiguredEndpointUrls: true,
    ...sdkHttpOptions(),
  };
}

/** Turns an SDK or network error into one line naming the profile, the call and AWS's error code. @public */
export function awsCallError(profileName: string, call: string, error: unknown): VaultError {
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  // AWS's wire code (`ExpiredToken`), not the SDK's class name (`ExpiredTokenException`).
  const code = awsErrorCode(error) ?? (e.$metadata || e.name === 'Error' ? undefined : e.name);
  const message = (e.message ?? String(error)).split('\n')[0];
  const text = code && message && !message.startsWith(code) ? `${code}: ${message}` : message ?? String(error);
  const hint = hintFor(code ?? /\b(E[A-Z]{3,})\b/.exec(message ?? '')?.[1]);
  return new VaultError('AWS_CALL_FAILED', `profile ${profileName}: ${call} failed: ${text}`, {
    ...(hint ? { hint } : {}),
    cause: error,
  });
}

function hintFor(code: string | undefined): string | undefined {
  switch (code) {
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
      return 'the stored access key was rejected; check it or store a new one with `vault add`';
    case 'ExpiredToken':
      return 'clear cached sessions with `vault clear` and try again';
    case 'TimeoutError':
      return 'the endpoint did not answer in time; check endpoint_url, or raise AWS_VAULT_HTTP_TIMEOUT';
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
      return 'check endpoint_url, AWS_ENDPOINT_URL and your network';
    default:
      return undefined;
  }
}

/**
 * The SDK warns on every run under Node 20 that future SDK releases will need Node 22; vault pins
 * its SDK version, so the warning tells a vault user nothing. The switch is an environment
 * variable, set only while the client is built so children of `exec` never inherit it.
 */
export function withoutSdkNodeWarning<T>(build: () => T): T {
  const name = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  const previous = process.env[name];
  process.env[name] = 'true';
  try {
    return build();
  } finally {
    if (previous === undefined) delete process.env[name];
    else process.env[name] = previous;
  }
}
