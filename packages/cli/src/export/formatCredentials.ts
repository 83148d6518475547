import { iso8601, VaultError, type Credentials } from '@awsvault/core';

/** The `--format` values `export` accepts: aws-vault's four, then shells it lacks. */
export const EXPORT_FORMATS = ['env', 'export-env', 'json', 'ini', 'dotenv', 'fish', 'powershell'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Renders credentials byte for byte as aws-vault's `export` does for its formats (`env` is unquoted
 * `KEY=value` lines, `json` is credential_process Version 1, `ini` a section named after the profile).
 */
export function formatCredentials(format: ExportFormat, profileName: string, credentials: Credentials, region: string | undefined): string {
  const pairs: Array<[string, string]> = [
    ['AWS_ACCESS_KEY_ID', credentials.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey],
  ];
  if (credentials.sessionToken) pairs.push(['AWS_SESSION_TOKEN', credentials.sessionToken]);
  if (credentials.expiration) pairs.push(['AWS_CREDENTIAL_EXPIRATION', iso8601(credentials.expiration)]);
  if (region) pairs.push(['AWS_REGION', region], ['AWS_DEFAULT_REGION', region]);
  switch (format) {
    case 'env':
      return pairs.map(([k, v]) => `${k}=${v}\n`).join('');
    case 'export-env':
      return pairs.map(([k, v]) => `export ${k}=${v}\n`).join('');
    case 'dotenv':
      return pairs.map(([k, v]) => `${k}=${JSON.stringify(v)}\n`).join('');
    case 'fish':
      return pairs.map(([k, v]) => `set -gx ${k} '${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}';\n`).join('');
    case 'powershell':
      return pairs.map(([k, v]) => `$env:${k} = '${v.replace(/'/g, "''")}'\n`).join('');
    case 'json': {
      const out: Record<string, unknown> = { Version: 1, AccessKeyId: credentials.accessKeyId, SecretAccessKey: credentials.secretAccessKey };
      if (credentials.sessionToken) out['SessionToken'] = credentials.sessionToken;
      if (credentials.expiration) out['Expiration'] = iso8601(credentials.expiration);
      return `${JSON.stringify(out, null, 2)}\n`;
    }
    case 'ini': {
      const lines = [`[${profileName}]`, `aws_access_key_id=${credentials.accessKeyId}`, `aws_secret_access_key=${credentials.secretAccessKey}`];
      if (credentials.sessionToken) lines.push(`aws_session_token=${credentials.sessionToken}`);
      if (credentials.expiration) lines.push(`aws_credential_expiration=${iso8601(credentials.expiration)}`);
      if (region) lines.push(`region=${region}`);
      return `${lines.join('\n')}\n`;
    }
    default:
      throw new VaultError('FORMAT_UNKNOWN', `unknown format ${String(format)}`, { hint: `use one of ${EXPORT_FORMATS.join(', ')}` });
  }
}
