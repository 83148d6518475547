/**
 * Is there a Secret Service on the session bus? Connects with a short deadline and asks the bus
 * whether `org.freedesktop.secrets` has an owner or can be started on demand. A successful check
 * leaves its (idle, unref'd) connection behind for the backend that is opened next.
 */
import type { BackendContext } from '@awsvault/core';
import { chooseBusTransport, describeBusTransport, toDbusNextAddress } from './busAddress.js';
import { AVAILABILITY_TIMEOUT_MS, SECRET_SERVICE_BUS_NAME, SESSION_BUS_ENV } from './constants.js';
import { DBusClient } from './dbusClient.js';

/** The outcome of `checkSecretService`. @public */
export type SecretServiceAvailability =
  | { available: true; busAddress: string; client: DBusClient }
  | { available: false; reason: string };

/** The reason when the variable is missing (also used by the hook without loading D-Bus code). @public */
export const NO_SESSION_BUS_REASON = `no D-Bus session bus (${SESSION_BUS_ENV} is not set)`;
/** The reason when the bus answers but nobody provides the Secret Service. @public */
export const NO_SECRET_SERVICE_REASON = 'no Secret Service on the session bus';

/**
 * Checks the session bus named by `env`. On success the caller owns the returned connection
 * (it does not keep the process alive; `close()` it or hand it to a backend).
 * @public
 */
export async function checkSecretService(
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number = AVAILABILITY_TIMEOUT_MS,
): Promise<SecretServiceAvailability> {
  const address = env[SESSION_BUS_ENV];
  if (address === undefined || address.trim() === '') return { available: false, reason: NO_SESSION_BUS_REASON };
  const choice = chooseBusTransport(address);
  if ('reason' in choice) return { available: false, reason: choice.reason };
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());

  let client: DBusClient;
  try {
    client = await DBusClient.connect(toDbusNextAddress(choice.transport), { timeoutMs: remaining() });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { available: false, reason: `the D-Bus session bus at ${describeBusTransport(choice.transport)} does not answer (${detail})` };
  }
  try {
    const [hasOwner] = await client.callBus('NameHasOwner', 's', [SECRET_SERVICE_BUS_NAME], { timeoutMs: remaining() });
    if (hasOwner === true) return { available: true, busAddress: address, client };
    const [activatable] = await client.callBus('ListActivatableNames', '', [], { timeoutMs: remaining() });
    if (Array.isArray(activatable) && activatable.includes(SECRET_SERVICE_BUS_NAME)) return { available: true, busAddress: address, client };
    client.close();
    return { available: false, reason: NO_SECRET_SERVICE_REASON };
  } catch (error) {
    client.close();
    const detail = error instanceof Error ? error.message : String(error);
    return { available: false, reason: `the D-Bus session bus did not answer a query (${detail})` };
  }
}

/** The connection of the last successful check, for the next `openSecretServiceBackend`. */
let spare: { busAddress: string; client: DBusClient } | undefined;

/** Takes the connection left by the last successful check for `busAddress`, if it is still open. @public */
export function takeSpareConnection(busAddress: string): DBusClient | undefined {
  const found = spare;
  spare = undefined;
  if (found === undefined) return undefined;
  if (found.busAddress === busAddress && !found.client.closed) return found.client;
  found.client.close();
  return undefined;
}

/** `isAvailable` for the backend definition. @public */
export async function isSecretServiceAvailable(ctx: BackendContext): Promise<boolean> {
  const result = await checkSecretService(ctx.env);
  if (!result.available) {
    ctx.debug(`secret-service: not available: ${result.reason}`);
    return false;
  }
  spare?.client.close();
  spare = { busAddress: result.busAddress, client: result.client };
  return true;
}
