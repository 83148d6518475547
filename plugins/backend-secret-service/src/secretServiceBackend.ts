/**
 * aws-vault's `secret-service` backend: items in one Secret Service collection (default
 * `awsvault`), labelled with the key, attribute `profile=<key>`, value = the whole keyring item as
 * JSON. gnome-keyring, KeePassXC and other Secret Service providers work; vault and aws-vault
 * read each other's items.
 */
import { BackendUnavailableError, decodeKeyringItemJson, encodeKeyringItemJson, ItemNotFoundError, KeyringItemJsonError, VaultError, isVaultError } from '@awsvault/core';
import type { Backend, BackendContext, DebugLogger, Item, ItemMetadata } from '@awsvault/core';
import { chooseBusTransport, toDbusNextAddress } from './busAddress.js';
import { collectionPathMatches } from './collectionPath.js';
import {
  COLLECTION_INTERFACE,
  COLLECTION_NAME_ENV,
  DEFAULT_COLLECTION_NAME,
  DEFAULT_PROMPT_TIMEOUT_MS,
  ITEM_INTERFACE,
  PROMPT_INTERFACE,
  SECRET_SERVICE_BUS_NAME,
  SECRET_SERVICE_PATH,
  SERVICE_INTERFACE,
  SESSION_BUS_ENV,
} from './constants.js';
import { DBusCallError, DBusClient, isVariant, variant } from './dbusClient.js';
import type { MethodCall } from './dbusClient.js';
import { checkSecretService, takeSpareConnection } from './probe.js';

/** The error code of every failure other than "not found" and "not available". @public */
export const SECRET_SERVICE_FAILED = 'SECRET_SERVICE_FAILED';

/** Content type aws-vault gives its secrets (gnome-keyring reports `text/plain` back; we never rely on it). */
const CONTENT_TYPE = 'application/json';
/** How long reconnecting after `close()` may take. */
const RECONNECT_TIMEOUT_MS = 5000;

/** D-Bus errors that mean "that object is not there (any more)". gnome-keyring says UnknownMethod. */
const MISSING_OBJECT_ERRORS = new Set([
  'org.freedesktop.DBus.Error.UnknownObject',
  'org.freedesktop.DBus.Error.UnknownMethod',
  'org.freedesktop.Secret.Error.NoSuchObject',
]);
const IS_LOCKED = 'org.freedesktop.Secret.Error.IsLocked';
const UNLOCK_HINT = 'unlock the keyring (for example in Seahorse or your password manager) and try again';
const NO_SESSION = 'org.freedesktop.Secret.Error.NoSession';

const isDBusError = (error: unknown, names: string | ReadonlySet<string>): boolean =>
  error instanceof DBusCallError && (typeof names === 'string' ? error.errorName === names : names.has(error.errorName));

/** A prompt that was dismissed or not answered in time; its message is the whole explanation. */
class PromptFailure extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.name = 'PromptFailure';
    this.hint = hint;
  }
}

/** A stored value that is not an aws-vault item. */
class CorruptItem extends Error {}

/** @public */
export interface SecretServiceBackendOptions {
  /** The session bus address (the value of DBUS_SESSION_BUS_ADDRESS). */
  busAddress: string;
  /** The collection: matched by object path (gnome-keyring's `_XX` escapes decoded) or by label. Default `awsvault`. */
  collectionName?: string;
  /** How long to wait for a password dialog (collection creation, unlock, delete). Default 120 s. */
  promptTimeoutMs?: number;
  /** An open connection to that bus to use first (for example the availability check's). */
  client?: DBusClient;
  debug?: DebugLogger;
}

const asPathArray = (value: unknown): string[] => (Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []);
const unwrap = (value: unknown): unknown => (isVariant(value) ? value.value : value);
const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

/** A Secret Service collection in aws-vault's layout. @public */
export class SecretServiceBackend implements Backend {
  readonly name = 'secret-service';
  readonly collectionName: string;
  readonly #busAddress: string;
  readonly #promptTimeoutMs: number;
  readonly #debug: DebugLogger;
  #spare: DBusClient | undefined;
  #client: Promise<DBusClient> | undefined;
  #session: Promise<string> | undefined;
  #creatingCollection: Promise<string> | undefined;

  constructor(options: SecretServiceBackendOptions) {
    this.#busAddress = options.busAddress;
    this.collectionName = options.collectionName ?? DEFAULT_COLLECTION_NAME;
    this.#promptTimeoutMs = options.promptTimeoutMs ?? DEFAULT_PROMPT_TIMEOUT_MS;
    this.#spare = options.client;
    this.#debug = options.debug ?? (() => {});
  }

  async get(key: string): Promise<Item> {
    return this.#run(`read item ${JSON.stringify(key)}`, async (client) => {
      const itemPath = (await this.#findItems(client, key))[0];
      if (itemPath === undefined) throw this.#notFound(key);
      let secret: unknown[];
      try {
        secret = await this.#unlocking(client, itemPath, () =>
          this.#withSession(client, (session) => this.#call(client, itemPath, ITEM_INTERFACE, 'GetSecret', 'o', [session])),
        );
      } catch (error) {
        if (isDBusError(error, MISSING_OBJECT_ERRORS)) throw this.#notFound(key);
        throw error;
      }
      const value = Array.isArray(secret[0]) ? (secret[0] as unknown[])[2] : undefined;
      if (!(value instanceof Uint8Array)) throw new CorruptItem('the Secret Service returned no secret value');
      let stored;
      try {
        stored = decodeKeyringItemJson(value, 'the stored value');
      } catch (error) {
        throw new CorruptItem(`the stored value is not an aws-vault item (${error instanceof KeyringItemJsonError ? error.message : 'unreadable'})`);
      }
      if (stored.key !== '' && stored.key !== key) this.#debug(`secret-service: the item for ${JSON.stringify(key)} holds Key ${JSON.stringify(stored.key)}`);
      const item: Item = { key, data: stored.data };
      if (stored.label !== '') item.label = stored.label;
      if (stored.description !== '') item.description = stored.description;
      return item;
    });
  }

  async set(item: Item): Promise<void> {
    await this.#run(`write item ${JSON.stringify(item.key)}`, async (client) => {
      const collection = await this.#findOrCreateCollection(client);
      const properties = {
        [`${ITEM_INTERFACE}.Label`]: variant('s', item.key),
        [`${ITEM_INTERFACE}.Attributes`]: variant('a{ss}', { profile: item.key }),
      };
      const value = encodeKeyringItemJson(item);
      const [, prompt] = await this.#unlocking(client, collection, () =>
        this.#withSession(client, (session) =>
          this.#call(client, collection, COLLECTION_INTERFACE, 'CreateItem', 'a{sv}(oayays)b', [properties, [session, Buffer.alloc(0), value, CONTENT_TYPE], true]),
        ),
      );
      await this.#prompt(client, prompt, 'store the item');
    });
  }

  /** Deletes every item of the collection with `profile=<key>` (aws-vault deletes the first; there is normally one). */
  async remove(key: string): Promise<void> {
    await this.#run(`remove item ${JSON.stringify(key)}`, async (client) => {
      const itemPaths = await this.#findItems(client, key);
      if (itemPaths.length === 0) throw this.#notFound(key);
      for (const itemPath of itemPaths) {
        try {
          const [prompt] = await this.#unlocking(client, itemPath, () => this.#call(client, itemPath, ITEM_INTERFACE, 'Delete'));
          await this.#prompt(client, prompt, 'delete the item');
        } catch (error) {
          if (!isDBusError(error, MISSING_OBJECT_ERRORS)) throw error; // deleted meanwhile
        }
      }
    });
  }

  /** The label of every item in the collection (aws-vault's Keys), without duplicates. */
  async keys(): Promise<string[]> {
    return this.#run('list items', async (client) => {
      const collection = await this.#findCollection(client);
      if (collection === undefined) return [];
      const itemPaths = asPathArray(await client.getProperty(SECRET_SERVICE_BUS_NAME, collection, COLLECTION_INTERFACE, 'Items'));
      const labels = await Promise.all(
        itemPaths.map((path) =>
          client.getProperty(SECRET_SERVICE_BUS_NAME, path, ITEM_INTERFACE, 'Label').catch((error: unknown) => {
            if (isDBusError(error, MISSING_OBJECT_ERRORS)) return undefined; // deleted meanwhile
            throw error;
          }),
        ),
      );
      return [...new Set(labels.filter((label): label is string => typeof label === 'string'))];
    });
  }

  /** The item's Secret Service label and `Modified` time, read without the secret (and without unlocking). */
  async getMetadata(key: string): Promise<ItemMetadata> {
    return this.#run(`read metadata of item ${JSON.stringify(key)}`, async (client) => {
      const itemPath = (await this.#findItems(client, key))[0];
      if (itemPath === undefined) throw this.#notFound(key);
      let properties: Record<string, unknown>;
      try {
        properties = await client.getAllProperties(SECRET_SERVICE_BUS_NAME, itemPath, ITEM_INTERFACE);
      } catch (error) {
        if (isDBusError(error, MISSING_OBJECT_ERRORS)) throw this.#notFound(key);
        throw error;
      }
      const metadata: ItemMetadata = { key };
      if (typeof properties['Label'] === 'string') metadata.label = properties['Label'];
      const modified = properties['Modified'];
      if ((typeof modified === 'bigint' || typeof modified === 'number') && modified > 0) metadata.modificationTime = new Date(Number(modified) * 1000);
      return metadata;
    });
  }

  /** Disconnects from the bus. The backend stays usable: the next call connects again. */
  close(): void {
    const client = this.#client;
    this.#client = undefined;
    this.#session = undefined;
    this.#spare?.close();
    this.#spare = undefined;
    client?.then((c) => c.close(), () => {});
  }

  // --- plumbing -------------------------------------------------------------------------------

  /** Runs one operation with the socket held open, and turns unexpected failures into one-line VaultErrors. */
  async #run<T>(action: string, operation: (client: DBusClient) => Promise<T>): Promise<T> {
    let release: (() => void) | undefined;
    try {
      const client = await this.#connect();
      release = client.hold();
      return await operation(client);
    } catch (error) {
      throw this.#failure(action, error);
    } finally {
      release?.();
    }
  }

  #failure(action: string, error: unknown): unknown {
    if (isVaultError(error)) return error;
    const where = `cannot ${action} in Secret Service collection ${JSON.stringify(this.collectionName)}`;
    if (error instanceof PromptFailure) return new VaultError(SECRET_SERVICE_FAILED, `${where}: ${error.message}`, { hint: error.hint, cause: error });
    if (error instanceof CorruptItem) {
      return new VaultError(SECRET_SERVICE_FAILED, `${where}: ${error.message}`, { hint: 'remove the item and add it again', cause: error });
    }
    if (error instanceof DBusCallError) {
      const hint = error.errorName === IS_LOCKED ? UNLOCK_HINT : undefined;
      return new VaultError(SECRET_SERVICE_FAILED, `${where}: ${oneLine(error.message)}`, hint === undefined ? { cause: error } : { hint, cause: error });
    }
    return new VaultError(SECRET_SERVICE_FAILED, `${where}: ${oneLine(error instanceof Error ? error.message : String(error))}`, { cause: error });
  }

  #notFound(key: string): ItemNotFoundError {
    return new ItemNotFoundError(key, `Secret Service collection ${JSON.stringify(this.collectionName)}`);
  }

  #connect(): Promise<DBusClient> {
    if (this.#client === undefined) {
      const spare = this.#spare;
      this.#spare = undefined;
      const connecting = spare !== undefined && !spare.closed ? Promise.resolve(spare) : this.#dial();
      this.#client = connecting;
      connecting.then(
        (client) =>
          client.onClose(() => {
            if (this.#client !== connecting) return;
            this.#client = undefined;
            this.#session = undefined;
          }),
        () => {
          if (this.#client === connecting) this.#client = undefined;
        },
      );
    }
    return this.#client;
  }

  async #dial(): Promise<DBusClient> {
    const choice = chooseBusTransport(this.#busAddress);
    if ('reason' in choice) throw new Error(choice.reason);
    return DBusClient.connect(toDbusNextAddress(choice.transport), { timeoutMs: RECONNECT_TIMEOUT_MS });
  }

  #call(client: DBusClient, path: string, iface: string, member: string, signature = '', body: unknown[] = []): Promise<unknown[]> {
    const call: MethodCall = { destination: SECRET_SERVICE_BUS_NAME, path, interface: iface, member, signature, body };
    return client.call(call);
  }

  /**
   * A `plain` session: the secret crosses the session bus unencrypted, as with aws-vault. The bus is
   * a private socket of this user; anyone able to read that traffic can also ask the service for the
   * secret directly, so transport encryption would not protect it from them (see README).
   */
  #openSession(client: DBusClient): Promise<string> {
    if (this.#session === undefined) {
      const opening = this.#call(client, SECRET_SERVICE_PATH, SERVICE_INTERFACE, 'OpenSession', 'sv', ['plain', variant('s', '')]).then(([, path]) => {
        if (typeof path !== 'string') throw new Error('OpenSession returned no session');
        return path;
      });
      this.#session = opening;
      opening.catch(() => {
        if (this.#session === opening) this.#session = undefined;
      });
    }
    return this.#session;
  }

  /** Runs `operation` with our session; if the service forgot it (restarted), opens a new one once. */
  async #withSession<T>(client: DBusClient, operation: (session: string) => Promise<T>): Promise<T> {
    const session = await this.#openSession(client);
    try {
      return await operation(session);
    } catch (error) {
      if (!isDBusError(error, NO_SESSION)) throw error;
      if (this.#session !== undefined && (await this.#session.catch(() => undefined)) === session) this.#session = undefined;
      return operation(await this.#openSession(client));
    }
  }

  /** Runs `operation`; if the object is locked, asks the service to unlock `path` (maybe with a prompt) and runs it again. */
  async #unlocking<T>(client: DBusClient, path: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!isDBusError(error, IS_LOCKED)) throw error;
    }
    this.#debug(`secret-service: ${path} is locked; asking the service to unlock it`);
    const [, prompt] = await this.#call(client, SECRET_SERVICE_PATH, SERVICE_INTERFACE, 'Unlock', 'ao', [[path]]);
    await this.#prompt(client, prompt, 'unlock the keyring');
    return operation();
  }

  /**
   * Shows a prompt the service asked for (`/` means none) and waits for `Completed`. Resolves with
   * the prompt's result; rejects with PromptFailure when it is dismissed or not answered in time.
   */
  async #prompt(client: DBusClient, promptPath: unknown, purpose: string, dismissedHint = UNLOCK_HINT): Promise<unknown> {
    if (typeof promptPath !== 'string' || promptPath === '/' || promptPath === '') return undefined;
    this.#debug(`secret-service: waiting for a prompt to ${purpose} (${promptPath})`);
    let onCompleted!: (body: unknown[]) => void;
    let onClosed!: (error: Error) => void;
    const completed = new Promise<unknown[]>((resolve, reject) => {
      onCompleted = resolve;
      onClosed = reject;
    });
    completed.catch(() => {}); // observed by the race below; may also reject while Prompt is being called
    const stopWatchingClose = client.onClose(onClosed);
    let unsubscribe: (() => Promise<void>) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      // Only the service may complete its prompt; subscribe before calling Prompt, which may complete at once.
      const [owner] = await client.callBus('GetNameOwner', 's', [SECRET_SERVICE_BUS_NAME]);
      unsubscribe = await client.subscribe(String(owner), promptPath, PROMPT_INTERFACE, 'Completed', onCompleted);
      await this.#call(client, promptPath, PROMPT_INTERFACE, 'Prompt', 's', ['']);
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(
            new PromptFailure(
              `no answer after ${Math.round(this.#promptTimeoutMs / 1000)} s: the keyring is waiting for a password dialog (to ${purpose})`,
              'answer the password dialog of your keyring (it may be behind other windows), or unlock the keyring first',
            ),
          );
        }, this.#promptTimeoutMs);
      });
      let body: unknown[];
      try {
        body = await Promise.race([completed, timedOut]);
      } catch (error) {
        if (error instanceof PromptFailure) await this.#call(client, promptPath, PROMPT_INTERFACE, 'Dismiss').catch(() => {});
        throw error;
      }
      if (body[0] === true) {
        throw new PromptFailure(
          `the prompt to ${purpose} was dismissed (or no password dialog could be shown)`,
          dismissedHint,
        );
      }
      return unwrap(body[1]);
    } finally {
      clearTimeout(timer);
      stopWatchingClose();
      await unsubscribe?.();
    }
  }

  /** Our collection's object path, or undefined when there is none. */
  async #findCollection(client: DBusClient): Promise<string | undefined> {
    const paths = asPathArray(await client.getProperty(SECRET_SERVICE_BUS_NAME, SECRET_SERVICE_PATH, SERVICE_INTERFACE, 'Collections'));
    const byPath = paths.find((path) => collectionPathMatches(path, this.collectionName));
    if (byPath !== undefined) return byPath;
    // Extension: services that do not name paths after labels (KeePassXC) are matched by label.
    const labels = await Promise.all(paths.map((path) => client.getProperty(SECRET_SERVICE_BUS_NAME, path, COLLECTION_INTERFACE, 'Label').catch(() => undefined)));
    const index = labels.findIndex((label) => label === this.collectionName);
    return index >= 0 ? paths[index] : undefined;
  }

  async #findOrCreateCollection(client: DBusClient): Promise<string> {
    const found = await this.#findCollection(client);
    if (found !== undefined) return found;
    // One creation at a time; the check is repeated inside, after any earlier creation finished.
    if (this.#creatingCollection === undefined) {
      const creating = (async () => (await this.#findCollection(client)) ?? (await this.#createCollection(client)))();
      this.#creatingCollection = creating;
      creating.then(
        () => {
          if (this.#creatingCollection === creating) this.#creatingCollection = undefined;
        },
        () => {
          if (this.#creatingCollection === creating) this.#creatingCollection = undefined;
        },
      );
    }
    return this.#creatingCollection;
  }

  async #createCollection(client: DBusClient): Promise<string> {
    this.#debug(`secret-service: creating collection ${JSON.stringify(this.collectionName)}`);
    const properties = { [`${COLLECTION_INTERFACE}.Label`]: variant('s', this.collectionName) };
    const [path, prompt] = await this.#call(client, SECRET_SERVICE_PATH, SERVICE_INTERFACE, 'CreateCollection', 'a{sv}s', [properties, '']);
    if (typeof path === 'string' && path !== '/') return path;
    const created = await this.#prompt(
      client,
      prompt,
      `create the collection ${JSON.stringify(this.collectionName)}`,
      `create a keyring named ${JSON.stringify(this.collectionName)} in your keyring manager (for example Seahorse), or run vault where a password dialog can be shown`,
    );
    if (typeof created === 'string' && created !== '/' && created !== '') return created;
    const found = await this.#findCollection(client);
    if (found === undefined) throw new Error('the Secret Service did not create the collection');
    return found;
  }

  /** Items of our collection with `profile=<key>`; `[]` when the collection does not exist. */
  async #findItems(client: DBusClient, key: string): Promise<string[]> {
    const collection = await this.#findCollection(client);
    if (collection === undefined) return [];
    try {
      const [paths] = await this.#call(client, collection, COLLECTION_INTERFACE, 'SearchItems', 'a{ss}', [{ profile: key }]);
      return asPathArray(paths);
    } catch (error) {
      if (isDBusError(error, MISSING_OBJECT_ERRORS)) return []; // the collection was deleted meanwhile
      throw error;
    }
  }
}

/** Options for tests and embedders; the CLI passes none. @public */
export interface OpenSecretServiceOptions {
  promptTimeoutMs?: number;
}

/**
 * Opens the backend for a CLI context: checks (within ~1 s) that the session bus answers and
 * provides the Secret Service, else rejects with `BackendUnavailableError`.
 * @public
 */
export async function openSecretServiceBackend(ctx: BackendContext, options: OpenSecretServiceOptions = {}): Promise<SecretServiceBackend> {
  const busAddress = ctx.env[SESSION_BUS_ENV] ?? '';
  let client = busAddress === '' ? undefined : takeSpareConnection(busAddress);
  if (client === undefined) {
    const availability = await checkSecretService(ctx.env);
    if (!availability.available) throw new BackendUnavailableError('secret-service', availability.reason);
    client = availability.client;
  }
  const configured = ctx.env[COLLECTION_NAME_ENV];
  const collectionName = configured === undefined || configured === '' ? DEFAULT_COLLECTION_NAME : configured;
  ctx.debug(`secret-service: collection ${JSON.stringify(collectionName)} on ${SECRET_SERVICE_BUS_NAME}`);
  const backendOptions: SecretServiceBackendOptions = { busAddress, collectionName, client, debug: ctx.debug };
  if (options.promptTimeoutMs !== undefined) backendOptions.promptTimeoutMs = options.promptTimeoutMs;
  return new SecretServiceBackend(backendOptions);
}
