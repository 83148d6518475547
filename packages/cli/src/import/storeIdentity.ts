import { realpathSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_KEYRING_SERVICE, KEYRING_SERVICE_ENV } from '@awsvault/core';

type Env = Readonly<Record<string, string | undefined>>;

/** One store as a backend with these settings would open it: `id` compares, `description` is for messages. */
export interface StoreIdentity {
  id: string;
  description: string;
}

function dir(configured: string | undefined, fallback: string, home: string): string {
  let path = configured ? configured : fallback;
  if (path === '~') path = home;
  else if (path.startsWith('~/')) path = join(home, path.slice(2));
  path = isAbsolute(path) ? path : resolve(path);
  try {
    return realpathSync(path); // a symlinked directory is the same store
  } catch {
    return path;
  }
}

/**
 * Which store a backend opens with these settings (the same defaults and variables as the backends
 * themselves), so that importing a store into itself is recognised. A backend this does not know is
 * identified by its name and every `AWS_VAULT_*` setting.
 */
export function storeIdentity(backend: string, env: Env, home: string): StoreIdentity {
  switch (backend) {
    case 'file': {
      const path = dir(env['AWS_VAULT_FILE_DIR'], join(home, '.awsvault', 'keys'), home);
      return { id: `file:${path}`, description: `file store ${path}` };
    }
    case 'pass': {
      const store = dir(env['AWS_VAULT_PASS_PASSWORD_STORE_DIR'] || env['PASSWORD_STORE_DIR'], join(home, '.password-store'), home);
      const prefix = (env['AWS_VAULT_PASS_PREFIX'] ?? '').split('/').filter((segment) => segment !== '' && segment !== '.').join('/');
      return { id: `pass:${store}//${prefix}`, description: `pass store ${store}${prefix ? ` (prefix ${prefix})` : ''}` };
    }
    case 'secret-service': {
      const collection = env['AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME'] || 'awsvault';
      return { id: `secret-service:${collection}`, description: `Secret Service collection ${collection}` };
    }
    case 'keychain': {
      const name = env['AWS_VAULT_KEYCHAIN_NAME'] || 'aws-vault';
      const service = env[KEYRING_SERVICE_ENV] || DEFAULT_KEYRING_SERVICE;
      return { id: `keychain:${name}//${service}`, description: `keychain ${name}${service === DEFAULT_KEYRING_SERVICE ? '' : ` (service ${service})`}` };
    }
    case 'wincred': {
      const service = env[KEYRING_SERVICE_ENV] || DEFAULT_KEYRING_SERVICE;
      return { id: `wincred:${service}`, description: `Windows Credential Manager${service === DEFAULT_KEYRING_SERVICE ? '' : ` (targets ${service}:${service}:*)`}` };
    }
    default: {
      const settings = Object.entries(env)
        .filter(([name, value]) => name.startsWith('AWS_VAULT_') && name !== 'AWS_VAULT_BACKEND' && !name.includes('PASSPHRASE') && value)
        .sort(([a], [b]) => a.localeCompare(b));
      return { id: `${backend}:${JSON.stringify(settings)}`, description: `${backend} store` };
    }
  }
}
