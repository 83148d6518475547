import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { VaultError } from '@awsvault/core';

/** Bytes of randomness in a generated token (43 base64url characters). */
const TOKEN_BYTES = 32;
/** What a token file may hold: 32 to 1024 characters that need no quoting in any shell or header. */
const TOKEN_SHAPE = /^[A-Za-z0-9._~+/=-]{32,1024}$/;

/**
 * The daemon's Authorization token: the content of `tokenFile` (surrounding whitespace ignored) when
 * given, else 32 random bytes, base64url. A token file must be readable by its owner only and hold at
 * least 32 characters of `[A-Za-z0-9._~+/=-]`; anything else is a one-line error naming the file.
 */
export function serveToken(tokenFile: string | undefined, platform: NodeJS.Platform = process.platform): string {
  if (tokenFile === undefined) return randomBytes(TOKEN_BYTES).toString('base64url');
  let text: string;
  let mode: number;
  try {
    mode = statSync(tokenFile).mode;
    text = readFileSync(tokenFile, 'utf8').trim();
  } catch (error) {
    throw new VaultError('SERVE_TOKEN_FILE', `cannot read token file ${tokenFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new VaultError('SERVE_TOKEN_FILE', `token file ${tokenFile} is readable by other users (mode ${(mode & 0o777).toString(8)})`, { hint: `chmod 600 ${tokenFile}` });
  }
  if (!TOKEN_SHAPE.test(text)) {
    throw new VaultError('SERVE_TOKEN_FILE', `token file ${tokenFile} must hold one token of 32 to 1024 characters A-Z a-z 0-9 . _ ~ + / = -`, { hint: 'e.g. openssl rand -base64 32' });
  }
  return text;
}
