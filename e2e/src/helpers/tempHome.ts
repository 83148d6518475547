import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away HOME with its own AWS config, file-backend store and passphrase. */
export interface TempHome {
  dir: string;
  configFile: string;
  keysDir: string;
  passphrase: string;
  /** An environment with nothing of the developer's AWS setup in it. */
  env: Record<string, string>;
  writeConfig(text: string): void;
  cleanup(): void;
}

/** Variables of the machine or developer that would leak into a test. */
const SCRUBBED = /^(AWS_|AWS_VAULT)|^(SHELL|PASSWORD_STORE_DIR|GNUPGHOME|DBUS_SESSION_BUS_ADDRESS)$/;

export function tempHome(passphrase = 'correct horse battery staple'): TempHome {
  const dir = mkdtempSync(join(tmpdir(), 'vault-e2e-'));
  const configFile = join(dir, '.aws', 'config');
  const keysDir = join(dir, '.awsvault', 'keys');
  mkdirSync(join(dir, '.aws'), { recursive: true, mode: 0o700 });
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !SCRUBBED.test(key)) env[key] = value;
  Object.assign(env, {
    HOME: dir,
    XDG_DATA_HOME: join(dir, '.local', 'share'),
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_CACHE_HOME: join(dir, '.cache'),
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, '.aws', 'credentials'),
    AWS_VAULT_BACKEND: 'file',
    AWS_VAULT_FILE_PASSPHRASE: passphrase,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    NO_COLOR: '1',
  });
  return {
    dir,
    configFile,
    keysDir,
    passphrase,
    env,
    writeConfig: (text) => writeFileSync(configFile, text),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
