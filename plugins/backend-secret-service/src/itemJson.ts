/**
 * The item JSON this package has always exported, now `@awsvault/core`'s keyring item JSON (shared
 * with the file and pass backends). Only `encodeItemJson` keeps a signature of its own: the
 * `KeychainNotTrustApplication` flag as a second argument.
 */
import { encodeKeyringItemJson } from '@awsvault/core';
import type { Item } from '@awsvault/core';

export { decodeKeyringItemJson as decodeItemJson, KeyringItemJsonError as ItemJsonError } from '@awsvault/core';
export type { KeyringItem as KeyringItemJson } from '@awsvault/core';

/**
 * The bytes aws-vault would store for `item` (see `encodeKeyringItemJson`). `KeychainNotTrustApplication`
 * is as given, else as aws-vault sets it: true for long-term credentials, false for sessions and OIDC tokens.
 * @public
 */
export function encodeItemJson(item: Item, keychainNotTrustApplication?: boolean): Uint8Array {
  return encodeKeyringItemJson(item, keychainNotTrustApplication === undefined ? {} : { keychainNotTrustApplication });
}
