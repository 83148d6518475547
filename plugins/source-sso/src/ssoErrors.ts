import { awsErrorCode, VaultError } from '@awsvault/core';

/** Who a call was made for, for messages: the profile and the start URL (never a token). */
export interface SsoCallSite {
  profileName: string;
  startUrl: string;
}

const HINTS: Record<string, string> = {
  ForbiddenException: 'check sso_account_id and sso_role_name: the role must be assigned to you in the access portal',
  ResourceNotFoundException: 'check sso_account_id and sso_role_name: the role must be assigned to you in the access portal',
  TooManyRequestsException: 'the access portal is throttling requests; wait a moment and try again',
  InvalidScopeException: 'check sso_registration_scopes (e.g. sso:account:access)',
  InvalidRequestException: 'check sso_start_url and sso_region',
  InvalidRequestRegionException: 'sso_region must be the region of your IAM Identity Center instance',
  InvalidClientException: 'run `vault clear` to forget the stored SSO client and sign in again',
  UnauthorizedException: 'run `vault clear` and sign in again',
  ECONNREFUSED: 'check sso_region, endpoint_url, AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC and your network',
  ENOTFOUND: 'check sso_region, endpoint_url, AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC and your network',
  ETIMEDOUT: 'check your network and proxy settings',
};

/** Replaces each secret that appears in `text` with `***`, so no token reaches a message. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

/** The first line of what an SDK or network error says, preferring OAuth's `error_description`. */
export function describeError(error: unknown): string {
  const e = error as { message?: unknown; error_description?: unknown };
  const text = typeof e.error_description === 'string' && e.error_description ? e.error_description : typeof e.message === 'string' ? e.message : String(error);
  return (text.split('\n')[0] ?? text).trim();
}

/**
 * One line for a failed SSO or SSO-OIDC call: the profile, the call, the start URL, AWS's error code
 * and message, and a hint. `secrets` are scrubbed from the text.
 */
export function ssoCallError(site: SsoCallSite, call: string, error: unknown, options: { hint?: string; secrets?: readonly (string | undefined)[]; code?: string } = {}): VaultError {
  const awsCode = awsErrorCode(error);
  const description = describeError(error);
  const text = awsCode && !description.startsWith(awsCode) ? `${awsCode}: ${description}` : description;
  const hint = options.hint ?? (awsCode ? HINTS[awsCode] : undefined);
  return new VaultError(options.code ?? 'SSO_CALL_FAILED', redact(`profile ${site.profileName}: ${call} for ${site.startUrl} failed: ${text}`, options.secrets ?? []), {
    ...(hint ? { hint } : {}),
    cause: error,
  });
}

/** Whether an error is AWS saying the bearer token is not (or no longer) valid. */
export function isUnauthorized(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 401 || awsErrorCode(error) === 'UnauthorizedException';
}
