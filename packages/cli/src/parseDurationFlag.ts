import { parseGoDuration, VaultError } from '@awsvault/core';

/** `--duration` takes a Go duration, as in aws-vault (`1h`, `90m`, `43200s`); returns seconds. */
export function parseDurationFlag(text: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 1000) {
    throw new VaultError('FLAG_INVALID', `--duration ${text} is not a duration of at least one second`, { hint: 'use a unit, such as 1h, 90m or 3600s' });
  }
  return Math.trunc(ms / 1000);
}
