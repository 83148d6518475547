/** Longest request target the servers look at; AssumeRole takes ARNs of up to 2048 characters. */
const MAX_TARGET = 4096;

/**
 * The path of a request target, percent-decoded once, or undefined when it is not a plain
 * origin-form path: an absolute URL (`GET http://x/ HTTP/1.1`), a bad escape, an escape that still
 * decodes to `%` (double encoding), a `.`/`..` segment or an empty one (`//`), before or after
 * decoding, a NUL or backslash. The query string is ignored, as aws-vault's router ignores it.
 */
export function requestPath(target: string | undefined): string | undefined {
  if (typeof target !== 'string' || !target.startsWith('/') || target.length > MAX_TARGET) return undefined;
  const raw = target.split('?', 1)[0] as string;
  if (!saneSegments(raw)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded !== raw && (decoded.includes('%') || !saneSegments(decoded))) return undefined;
  return decoded;
}

function saneSegments(path: string): boolean {
  if (/[\\\0]/.test(path)) return false;
  const segments = path.split('/').slice(1);
  // Only the last segment may be empty (a trailing slash).
  return segments.every((segment, index) => segment !== '.' && segment !== '..' && (segment !== '' || index === segments.length - 1));
}

const PREFIX = '/role-arn/';

/**
 * An IAM role ARN: partition `aws` or `aws-*`, a 12-digit account, an optional path of
 * `[\w+=,.@-]` segments and a role name of at most 64 such characters. Nothing else is accepted:
 * no wildcards, no `%`, no `..`, no empty segments.
 */
const ROLE_ARN = /^arn:aws(?:-[a-z]+){0,3}:iam::\d{12}:role\/(?:[\w+=,.@-]{1,512}\/){0,20}[\w+=,.@-]{1,64}$/;

/** Whether the (decoded) path is the `/role-arn/` route, valid or not. */
export function isRoleRoute(path: string): boolean {
  return path === '/role-arn' || path.startsWith(PREFIX);
}

/** The role ARN of a `/role-arn/<arn>` path, or undefined when what follows is not a role ARN. */
export function roleArnFromPath(path: string): string | undefined {
  if (!path.startsWith(PREFIX)) return undefined;
  const arn = path.slice(PREFIX.length);
  if (arn.length > 2048 || !ROLE_ARN.test(arn)) return undefined;
  if (arn.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  return arn;
}
