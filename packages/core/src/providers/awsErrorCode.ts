/**
 * AWS's error code behind an error: the SDK's error (its wire `Code`, else its name), also when it
 * is the `cause` of a VaultError; a network error's errno code (`ECONNREFUSED`); else undefined.
 * @public
 */
export function awsErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { name?: unknown; Code?: unknown; code?: unknown; $metadata?: unknown; cause?: unknown };
    if (e.$metadata !== undefined) {
      if (typeof e.Code === 'string' && e.Code) return e.Code;
      if (typeof e.name === 'string' && e.name) return e.name;
    }
    if (typeof e.code === 'string' && /^E[A-Z_]{3,}$/.test(e.code)) return e.code;
    current = e.cause;
  }
  return undefined;
}

/** The HTTP status AWS answered with, when the error (or its cause) is an SDK error. @public */
export function awsErrorStatus(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const status = (current as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
    if (typeof status === 'number') return status;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The first line of an error's message, for one-line reports. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
