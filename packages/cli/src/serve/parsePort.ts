import { VaultError } from '@awsvault/core';

/** A TCP port from a flag (0: any free port), or a one-line error naming the flag. */
export function parsePort(text: string, flag: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new VaultError('FLAG_INVALID', `${flag} ${text} is not a port number`, { hint: 'use 0 to 65535; 0 picks a free port' });
  return port;
}
