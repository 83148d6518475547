export { SecretServiceBackend, openSecretServiceBackend, SECRET_SERVICE_FAILED } from './secretServiceBackend.js';
export type { SecretServiceBackendOptions, OpenSecretServiceOptions } from './secretServiceBackend.js';
export { checkSecretService, isSecretServiceAvailable, takeSpareConnection, NO_SESSION_BUS_REASON, NO_SECRET_SERVICE_REASON } from './probe.js';
export type { SecretServiceAvailability } from './probe.js';
export {
  COLLECTION_NAME_ENV,
  DEFAULT_COLLECTION_NAME,
  SESSION_BUS_ENV,
  SECRET_SERVICE_BUS_NAME,
  SECRET_SERVICE_PATH,
  AVAILABILITY_TIMEOUT_MS,
  DEFAULT_PROMPT_TIMEOUT_MS,
} from './constants.js';
export { encodeItemJson, decodeItemJson, ItemJsonError } from './itemJson.js';
export type { KeyringItemJson } from './itemJson.js';
export { collectionPathMatches, decodePathSegment, COLLECTION_PATH_PREFIX } from './collectionPath.js';
export { parseBusAddress, chooseBusTransport, toDbusNextAddress, describeBusTransport, BusAddressError } from './busAddress.js';
export type { BusAddressEntry, BusTransport } from './busAddress.js';
export { DBusClient, DBusCallError, DBusConnectionError, variant, isVariant, DEFAULT_CALL_TIMEOUT_MS } from './dbusClient.js';
export type { DBusVariant, MethodCall } from './dbusClient.js';
export { default as secretServiceBackendHook } from './hooks/backend.js';
