/**
 * Collection object paths. gnome-keyring names a collection's path after its label, writing every
 * byte outside [A-Za-z0-9] as `_XX` (two lower-case hex digits): `aws-vault` lives at
 * `/org/freedesktop/secrets/collection/aws_2dvault`.
 */

/** Where the Secret Service keeps its collections. @public */
export const COLLECTION_PATH_PREFIX = '/org/freedesktop/secrets/collection/';

/**
 * The last path segment with `_XX` escapes decoded (as UTF-8 bytes); a `_` not followed by two
 * hex digits stays as it is.
 * @public
 */
export function decodePathSegment(segment: string): string {
  if (!segment.includes('_')) return segment;
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const hex = segment.slice(i + 1, i + 3);
    if (segment[i] === '_' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const byte of Buffer.from(segment[i] as string, 'utf8')) bytes.push(byte);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** True when `path` is `/org/freedesktop/secrets/collection/<name>` once its last segment is decoded. @public */
export function collectionPathMatches(path: string, name: string): boolean {
  if (!path.startsWith(COLLECTION_PATH_PREFIX)) return false;
  const segment = path.slice(COLLECTION_PATH_PREFIX.length);
  if (segment === '' || segment.includes('/')) return false;
  return segment === name || decodePathSegment(segment) === name;
}
