import { iso8601, VaultError, type Credentials } from '@awsvault/core';

/** The `--format` values `export` accepts: aws-vault's four, then shells it lacks. */
export const EXPORT_FORMATS = ['env', 'export-env', 'json', 'ini', 'dotenv', 'fish', 'powershell', 'nu', 'cmd'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Formats that can render any list of variables (`ini` is an AWS credentials section only). */
export type EnvFormat = Exclude<ExportFormat, 'ini'>;

/** One variable to set, or to unset when the value is null. */
export type EnvPair = readonly [name: string, value: string | null];

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
      return formatEnv(format, pairs);
  }
}

/**
 * Renders variables in one shell's syntax; a null value unsets the variable where the format can
 * say so (`env` and `dotenv` cannot, and leave it out). `json` is a flat object (null kept).
 */
export function formatEnv(format: EnvFormat, pairs: readonly EnvPair[]): string {
  for (const [name] of pairs) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new VaultError('FORMAT_UNSAFE_VALUE', `cannot print variable name ${JSON.stringify(name)}`, { hint: 'names are letters, digits and _' });
  }
  const set = pairs.filter((pair): pair is readonly [string, string] => pair[1] !== null);
  switch (format) {
    case 'env':
      return set.map(([k, v]) => `${k}=${v}\n`).join('');
    case 'export-env':
      return pairs.map(([k, v]) => (v === null ? `unset ${k}\n` : `export ${k}=${posixWord(v)}\n`)).join('');
    case 'dotenv':
      return set.map(([k, v]) => `${k}=${JSON.stringify(v)}\n`).join('');
    case 'fish':
      return pairs.map(([k, v]) => (v === null ? `set -e ${k};\n` : `set -gx ${k} '${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}';\n`)).join('');
    case 'powershell':
      return pairs.map(([k, v]) => (v === null ? `Remove-Item -ErrorAction SilentlyContinue Env:${k}\n` : `$env:${k} = '${v.replace(/['‘’‚‛]/g, (q) => q + q)}'\n`)).join('');
    case 'nu': {
      const record = set.length === 0 ? '' : `load-env {\n${set.map(([k, v]) => `  ${k}: ${nuString(v)}\n`).join('')}}\n`;
      return record + pairs.filter(([, v]) => v === null).map(([k]) => `hide-env --ignore-errors ${k}\n`).join('');
    }
    case 'cmd':
      return pairs.map(([k, v]) => `set "${k}=${v === null ? '' : cmdValue(k, v)}"\n`).join('');
    case 'json': {
      const out: Record<string, string | null> = {};
      for (const [k, v] of pairs) out[k] = v;
      return `${JSON.stringify(out, null, 2)}\n`;
    }
    default:
      throw new VaultError('FORMAT_UNKNOWN', `unknown format ${String(format)}`, { hint: `use one of ${EXPORT_FORMATS.join(', ')}` });
  }
}

/** A POSIX shell word: bare when every character is safe (credentials always are), else single-quoted. */
function posixWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(value) && value !== '' ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A nushell double-quoted string (also valid NUON): `\` and `"` escaped, control characters as `\u{…}`. */
function nuString(value: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)}"`;
}

/**
 * A value inside cmd's `set "NAME=value"`, meant to be run as a batch file (`call vault-env.cmd`):
 * `%` is doubled so it is not expanded. cmd has no escape for `"` or a line break inside the quotes,
 * and `!` expands when delayed expansion is on, so those values are refused rather than printed wrong.
 */
function cmdValue(name: string, value: string): string {
  if (/["\r\n\0!]/.test(value)) {
    throw new VaultError('FORMAT_UNSAFE_VALUE', `the value of ${name} cannot be written safely for cmd (it holds ", !, or a line break)`, { hint: 'use --format=powershell or --format=json' });
  }
  return value.replace(/%/g, '%%');
}
