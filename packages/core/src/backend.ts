import type { DebugLogger } from './logger.js';

/**
 * One stored object. `data` is the payload as bytes (aws-vault stores JSON); `label` and
 * `description` are shown by stores that have such fields.
 * @public
 */
export interface Item {
  key: string;
  data: Uint8Array;
  label?: string;
  description?: string;
}

/** Non-secret facts about an item, readable without unlocking where the store allows. @public */
export interface ItemMetadata {
  key: string;
  label?: string;
  description?: string;
  modificationTime?: Date;
}

/**
 * A secret store. Five methods, as aws-vault's keyring: a missing key is always an
 * `ItemNotFoundError` (code `ITEM_NOT_FOUND`), whatever the store's own error was.
 * @public
 */
export interface Backend {
  /** The backend's registered name, e.g. `file`. */
  readonly name: string;
  /** Resolves the item; rejects with `ItemNotFoundError` when the key is missing. */
  get(key: string): Promise<Item>;
  /** Writes atomically: a reader sees the old item or the new one, never a torn write. */
  set(item: Item): Promise<void>;
  /** Removes the item; rejects with `ItemNotFoundError` when the key is missing. */
  remove(key: string): Promise<void>;
  /** Every key this backend holds for vault; `[]` when empty. */
  keys(): Promise<string[]>;
  /** Non-secret fields; rejects with `ItemNotFoundError` when the key is missing. */
  getMetadata(key: string): Promise<ItemMetadata>;
}

/** What the CLI hands a backend when it opens it. @public */
export interface BackendContext {
  /** The environment to read `AWS_VAULT_<BACKEND>_*` settings from. */
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory. */
  homeDir: string;
  /** Asks the user for a secret (a passphrase) on the terminal; rejects when there is none. */
  askPassphrase(message: string): Promise<string>;
  /** Debug output; never pass secrets. */
  debug: DebugLogger;
}

/** A backend as a plugin declares it. `open` may reject with `BackendUnavailableError`. @public */
export interface BackendDefinition {
  kind: 'backend';
  name: string;
  /** Cheap check (a binary on PATH, a bus address) used for automatic selection. */
  isAvailable?(ctx: BackendContext): Promise<boolean> | boolean;
  open(ctx: BackendContext): Promise<Backend>;
}

/**
 * The default export of a plugin's `vault:backend` hook file. Returns the hook function oclif calls;
 * core itself needs no oclif at run time.
 * @public
 */
export function defineBackend(definition: Omit<BackendDefinition, 'kind'>): () => Promise<BackendDefinition> {
  const full: BackendDefinition = { ...definition, kind: 'backend' };
  return async () => full;
}
