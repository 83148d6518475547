/** Names from the freedesktop Secret Service API and the settings this backend reads. */

/** The well-known bus name of the Secret Service. @public */
export const SECRET_SERVICE_BUS_NAME = 'org.freedesktop.secrets';
/** The service object. @public */
export const SECRET_SERVICE_PATH = '/org/freedesktop/secrets';
export const SERVICE_INTERFACE = 'org.freedesktop.Secret.Service';
export const COLLECTION_INTERFACE = 'org.freedesktop.Secret.Collection';
export const ITEM_INTERFACE = 'org.freedesktop.Secret.Item';
export const PROMPT_INTERFACE = 'org.freedesktop.Secret.Prompt';

/** The environment variable naming the collection (aws-vault's `--secret-service-collection`). @public */
export const COLLECTION_NAME_ENV = 'AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME';
/** aws-vault's default collection name. @public */
export const DEFAULT_COLLECTION_NAME = 'awsvault';
/** The environment variable with the session bus address. @public */
export const SESSION_BUS_ENV = 'DBUS_SESSION_BUS_ADDRESS';

/** How long the availability check may take. @public */
export const AVAILABILITY_TIMEOUT_MS = 1000;
/** How long to wait for the user to answer a password dialog. @public */
export const DEFAULT_PROMPT_TIMEOUT_MS = 120_000;
