import { VaultError } from '../errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The 99designs keyring `ServiceName` a keychain or Credential Manager store is laid out under.
 * aws-vault's is `aws-vault`; other tools on the same library (granted:
 * `granted-aws-iam-credentials`) use their own, which is how `vault import` reads their stores.
 * @public
 */
export const KEYRING_SERVICE_ENV = 'VAULT_KEYRING_SERVICE';
/** aws-vault's service name, the default. @public */
export const DEFAULT_KEYRING_SERVICE = 'aws-vault';

/** `VAULT_KEYRING_SERVICE` when set and not empty, else `aws-vault`; a name with a control character is an error. @public */
export function keyringServiceName(env: Env): string {
  const configured = env[KEYRING_SERVICE_ENV];
  if (configured === undefined || configured === '') return DEFAULT_KEYRING_SERVICE;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(configured)) {
    throw new VaultError('KEYRING_SERVICE_INVALID', `${KEYRING_SERVICE_ENV} holds a control character`, {
      hint: `set ${KEYRING_SERVICE_ENV} to a plain name such as ${DEFAULT_KEYRING_SERVICE}, or unset it`,
    });
  }
  return configured;
}
