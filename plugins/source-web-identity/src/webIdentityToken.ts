import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { VaultError, type ProfileConfig } from '@awsvault/core';
import { runCommand, type OutputSink } from '@awsvault/core';

/** How the token is fetched; `vault` uses the defaults. */
export interface TokenOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Base of a relative `web_identity_token_file`; default the current directory. */
  cwd?: string;
  timeoutMs?: number;
  ttyPath?: string | null;
  stderr?: OutputSink;
}

/**
 * The OIDC token for a profile, as aws-vault reads it: the whole content of `web_identity_token_file`
 * (not trimmed; a relative path is taken from the current directory), else everything
 * `web_identity_token_process` prints on stdout (not trimmed; run like `credential_process`). When
 * both are set the file wins. A token that is empty or only white space is an error.
 */
export async function readWebIdentityToken(profile: ProfileConfig, options: TokenOptions): Promise<string> {
  const where = `profile ${profile.name}`;
  if (profile.webIdentityTokenFile !== undefined) {
    const path = isAbsolute(profile.webIdentityTokenFile) ? profile.webIdentityTokenFile : resolve(options.cwd ?? process.cwd(), profile.webIdentityTokenFile);
    let token: string;
    try {
      token = await readFile(path, 'utf8');
    } catch (error) {
      throw new VaultError('WEB_IDENTITY_TOKEN_UNREADABLE', `${where}: cannot read web_identity_token_file ${path}: ${describeFsError(error)}`, {
        hint: 'the file must hold the OIDC token your identity provider issued',
        cause: error,
      });
    }
    if (token.trim() === '') throw new VaultError('WEB_IDENTITY_TOKEN_EMPTY', `${where}: web_identity_token_file ${path} is empty`);
    return token;
  }
  if (profile.webIdentityTokenProcess !== undefined) {
    const token = await runCommand(profile.webIdentityTokenProcess, {
      what: 'web_identity_token_process',
      codePrefix: 'WEB_IDENTITY_TOKEN_PROCESS',
      profileName: profile.name,
      env: options.env,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.ttyPath !== undefined ? { ttyPath: options.ttyPath } : {}),
      ...(options.stderr ? { stderr: options.stderr } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    if (token.trim() === '') throw new VaultError('WEB_IDENTITY_TOKEN_EMPTY', `${where}: web_identity_token_process printed no token`);
    return token;
  }
  throw new VaultError('WEB_IDENTITY_TOKEN_MISSING', `${where}: neither web_identity_token_file nor web_identity_token_process is set`);
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EISDIR':
      return 'it is a directory (EISDIR)';
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return message.split('\n')[0] ?? message;
    }
  }
}
