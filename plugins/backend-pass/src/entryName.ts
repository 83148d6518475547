/**
 * Item key <-> pass entry name.
 *
 * aws-vault names an entry `filepath.Join(prefix, key)`, which path-cleans the key: `a//b` becomes
 * `a/b` and `oidc:https://host/start` becomes `oidc:https:/host/start`, so the key does not
 * survive a round trip. vault keeps aws-vault's layout for every key that path-cleaning leaves
 * alone (each `/` is a directory level, everything else verbatim) and escapes only the segments
 * that cleaning would lose:
 *
 *   a key segment made of n `%` characters (n >= 0, so an empty segment too) is stored as n + 1 `%`.
 *
 * An empty segment (between the two slashes of `//`, or after a trailing `/`) is therefore the
 * directory `%`: `oidc:https://host/start` is the entry `oidc:https:/%/host/start`. A segment that
 * is literally `%` becomes `%%`, and so on, so decoding is exact. Keys with a `.` or `..` segment
 * or a leading `/` are refused (they would be resolved away or leave the store).
 *
 * Entries aws-vault wrote stay readable: `oidc:<scheme>:/<host>…` (the cleaned form of an OIDC
 * token key) is listed as `oidc:<scheme>://<host>…`, and a lookup of an `oidc:` key that is missing
 * under vault's name falls back to the name aws-vault would have used.
 */

/** Why vault will not store or look up `key` in a pass store, or undefined when it can. @public */
export function invalidKeyReason(key: string): string | undefined {
  if (key === '') return 'the key is empty';
  if (key.includes('\0')) return 'the key contains a NUL character';
  if (key.startsWith('/')) return 'the key starts with "/" (an absolute path)';
  const segments = key.split('/');
  for (const [index, segment] of segments.entries()) {
    if (segment === '..') return 'the key has a ".." path segment, which would leave the password store';
    if (segment === '.') return 'the key has a "." path segment, which pass would resolve away';
    if (index < segments.length - 1 && RESERVED_DIRS.has(segment)) return `"${segment}" is reserved by pass and cannot be a directory of an item`;
  }
  return undefined;
}

/** Directory names pass keeps for itself; `keys()` does not descend into them. @public */
export const RESERVED_DIRS: ReadonlySet<string> = new Set(['.git', '.extensions', '.gpg-id']);

const ALL_PERCENT = /^%*$/;

/** The entry path (relative to the store dir and prefix) that holds `key`; `key` must be valid. @public */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => (ALL_PERCENT.test(segment) ? `${segment}%` : segment))
    .join('/');
}

/** The key an entry path (relative to the prefix, `.gpg` removed) holds; the inverse of {@link encodeKey}. @public */
export function decodeEntryPath(entryPath: string): string {
  return entryPath
    .split('/')
    .map((segment) => (segment !== '' && ALL_PERCENT.test(segment) ? segment.slice(1) : segment))
    .join('/');
}

/** `oidc:<scheme>:/x` with exactly one slash: what aws-vault's path-cleaning makes of `oidc:<scheme>://x`. */
const CLEANED_OIDC = /^(oidc:[A-Za-z][A-Za-z0-9+.-]*:)\/(?!\/)/;

/**
 * The key as vault reports it: an aws-vault entry named `oidc:https:/host/start` stands for the
 * token key `oidc:https://host/start`. Other keys are returned unchanged.
 * @public
 */
export function fromAwsVaultKey(key: string): string {
  return key.replace(CLEANED_OIDC, '$1//');
}

/**
 * True for a key `keys()` would report differently (`oidc:https:/x` is listed as `oidc:https://x`),
 * so vault refuses to write it.
 * @public
 */
export function isAmbiguousKey(key: string): boolean {
  return CLEANED_OIDC.test(key);
}

/** The prefix as directory segments, cleaned as Go's `filepath.Join` would; `..` is an error. @public */
export function prefixSegments(prefix: string): string[] {
  const segments = prefix.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw new RangeError(`the prefix "${prefix}" has a ".." segment`);
  return segments;
}

/** vault's full entry name: prefix and encoded key. @public */
export function entryName(prefix: readonly string[], key: string): string {
  return [...prefix, encodeKey(key)].join('/');
}

/**
 * The name aws-vault uses for `key` under `prefix`: `filepath.Join(prefix, key)`, i.e. empty and
 * `.` segments dropped (the key is valid, so it has no `..`).
 * @public
 */
export function awsVaultEntryName(prefix: readonly string[], key: string): string {
  return [...prefix, ...key.split('/').filter((segment) => segment !== '' && segment !== '.')].join('/');
}

/**
 * The other name to try when `key` is missing under vault's own name: aws-vault's path-cleaned one,
 * for OIDC token keys (`oidc:<scheme>://…`) only. Their cleaned form `oidc:<scheme>:/…` is a key
 * vault never writes, so the fallback cannot find another vault item. Undefined when there is none.
 * @public
 */
export function fallbackEntryName(prefix: readonly string[], key: string): string | undefined {
  const cleanedKey = awsVaultEntryName([], key);
  if (!key.startsWith('oidc:') || !CLEANED_OIDC.test(cleanedKey)) return undefined;
  const cleaned = [...prefix, cleanedKey].join('/');
  return cleaned === entryName(prefix, key) ? undefined : cleaned;
}
