import type { AwsConfig } from '@awsvault/core';

/**
 * How `list` names an SSO token, as ByteNess aws-vault does: `oidc:<sso-session name>` when an
 * `[sso-session]` has that start URL, else `oidc:<host of the start URL>`.
 */
export function oidcLabel(config: AwsConfig, startUrl: string): string {
  for (const [name, section] of config.ssoSessions) {
    if (section.entries.get('sso_start_url')?.value === startUrl) return `oidc:${name}`;
  }
  try {
    return `oidc:${new URL(startUrl).host}`;
  } catch {
    return `oidc:${startUrl}`;
  }
}
