/**
 * Item key <-> file name, as aws-vault's `file` backend lays them out: only `%` and `/` are escaped
 * (`%25`, `%2F`); every other character, UTF-8 included, is kept as is.
 */

/** Prefix of the temporary files this backend writes before renaming them into place. @public */
export const TEMP_FILE_PREFIX = '.vault-tmp-';

/** The file name that holds `key`. @public */
export function encodeFileName(key: string): string {
  let out = '';
  for (const ch of key) {
    if (ch === '%') out += '%25';
    else if (ch === '/') out += '%2F';
    else out += ch;
  }
  return out;
}

/**
 * The key a file name stands for. Reverses {@link encodeFileName}: `%25` and `%2F` (either case of
 * hex) are decoded; any other `%` sequence is left literal, so a foreign name never fails to list.
 * @public
 */
export function decodeFileName(name: string): string {
  return name.replace(/%(25|2[fF])/g, (_match, hex: string) => (hex === '25' ? '%' : '/'));
}

/** True for a name this backend uses for an in-flight (or abandoned) write. @public */
export function isTempFileName(name: string): boolean {
  return name.startsWith(TEMP_FILE_PREFIX);
}

/**
 * Why `key` cannot be stored as a file in the directory, or `undefined` when it can. Empty, `.`
 * and `..` would name the directory or its parent; NUL cannot appear in a path; our own temp-file
 * prefix would make the item invisible to `keys()`.
 */
export function invalidKeyReason(key: string): string | undefined {
  if (key === '') return 'the key is empty';
  if (key === '.' || key === '..') return `"${key}" names a directory`;
  if (key.includes('\0')) return 'the key contains a NUL character';
  if (isTempFileName(encodeFileName(key))) return `keys starting with "${TEMP_FILE_PREFIX}" are reserved`;
  return undefined;
}
