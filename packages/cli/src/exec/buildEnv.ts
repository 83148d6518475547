import { iso8601, type Credentials } from '@awsvault/core';

/** Variables a child must not inherit: they would shadow or confuse the credentials vault gives it. */
export const REMOVED_VARIABLES = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_FILE',
  'AWS_DEFAULT_PROFILE', 'AWS_PROFILE', 'AWS_SDK_LOAD_CONFIG', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_SESSION_EXPIRATION',
  // The store's passphrase is vault's, not the command's: a child has its credentials already, and
  // a nested vault is refused by the AWS_VAULT guard anyway.
  'AWS_VAULT_FILE_PASSPHRASE',
] as const;

/** What `exec` puts in the child's environment besides the credentials. */
export interface ExecContext {
  profileName: string;
  region?: string | undefined;
  endpointUrl?: string | undefined;
}

/**
 * The child's environment, aws-vault's contract: the parent's, minus the variables above, plus
 * `AWS_VAULT`, the region pair, `AWS_ENDPOINT_URL` when one was configured, and the credentials
 * (with `AWS_CREDENTIAL_EXPIRATION`, and `AWS_SESSION_EXPIRATION` for older tools, when they expire).
 */
export function buildEnv(parent: Readonly<Record<string, string | undefined>>, context: ExecContext, credentials: Credentials | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) if (value !== undefined) env[key] = value;
  for (const key of REMOVED_VARIABLES) delete env[key];
  env['AWS_VAULT'] = context.profileName;
  if (context.region) {
    env['AWS_REGION'] = context.region;
    env['AWS_DEFAULT_REGION'] = context.region;
  }
  if (context.endpointUrl) env['AWS_ENDPOINT_URL'] = context.endpointUrl;
  if (credentials) {
    env['AWS_ACCESS_KEY_ID'] = credentials.accessKeyId;
    env['AWS_SECRET_ACCESS_KEY'] = credentials.secretAccessKey;
    if (credentials.sessionToken) env['AWS_SESSION_TOKEN'] = credentials.sessionToken;
    if (credentials.expiration) {
      env['AWS_CREDENTIAL_EXPIRATION'] = iso8601(credentials.expiration);
      env['AWS_SESSION_EXPIRATION'] = iso8601(credentials.expiration);
    }
  }
  return env;
}
