/**
 * Test fixture (not shipped: matches `*.test.*`): a throw-away GnuPG home with one passphrase-less
 * ed25519/cv25519 key, and initialised pass stores encrypted to it. Everything runs without a TTY.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Variables from the developer's environment that would point pass or vault elsewhere. */
const SCRUBBED = [
  'PASSWORD_STORE_DIR',
  'PASSWORD_STORE_KEY',
  'PASSWORD_STORE_GPG_OPTS',
  'PASSWORD_STORE_ENABLE_EXTENSIONS',
  'GNUPGHOME',
  'GPG_TTY',
  'GPG_AGENT_INFO',
  'AWS_VAULT_PASS_PASSWORD_STORE_DIR',
  'AWS_VAULT_PASS_CMD',
  'AWS_VAULT_PASS_PREFIX',
  'AWS_VAULT_PASS_TIMEOUT',
];

export interface ToolResult {
  stdout: string;
  stderr: string;
}

/** Runs a tool with stdin from `input` (or /dev/null); rejects with its stderr on failure. */
export function runTool(command: string, args: string[], env: Record<string, string>, input?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env, timeout: 30_000, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${String(stderr).trim() || error.message}`));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
    if (input === undefined) child.stdin?.end();
    else child.stdin?.end(input);
  });
}

export interface GpgHome {
  dir: string;
  fingerprint: string;
  /** process.env without pass/gpg settings, plus GNUPGHOME and HOME. */
  env: Record<string, string>;
}

export interface PassFixture extends GpgHome {
  root: string;
  /** A new, empty directory under the fixture root. */
  tempDir(name: string): Promise<string>;
  /** A new store initialised with `pass init <fingerprint>` of `home` (default: the fixture's). */
  newStore(home?: GpgHome): Promise<string>;
  /** Another GnuPG home with its own key (for "encrypted to someone else" tests). */
  newGpgHome(): Promise<GpgHome>;
  /** Stops every gpg-agent started for the fixture and removes all files. */
  cleanup(): Promise<void>;
}

/** Creates the fixture; the caller registers `cleanup` in `after`. */
export async function createPassFixture(): Promise<PassFixture> {
  const root = await mkdtemp(join(tmpdir(), 'vault-pass-'));
  const homes: GpgHome[] = [];
  const baseEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !SCRUBBED.includes(name)) baseEnv[name] = value;
  baseEnv['HOME'] = root;
  let counter = 0;

  const tempDir = async (name: string): Promise<string> => {
    const dir = join(root, `${name}-${++counter}`);
    await mkdir(dir, { recursive: true });
    return dir;
  };

  const newGpgHome = async (): Promise<GpgHome> => {
    const dir = await tempDir('gnupg');
    await chmod(dir, 0o700);
    const env = { ...baseEnv, GNUPGHOME: dir };
    const home: GpgHome = { dir, fingerprint: '', env };
    homes.push(home);
    // ed25519 + cv25519: ~25 ms, against ~400 ms for gpg's default RSA-3072.
    await runTool('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'vault test <vault-test@example.invalid>', 'future-default', 'default', 'never'], env);
    const listing = await runTool('gpg', ['--batch', '--with-colons', '--list-secret-keys'], env);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(listing.stdout)?.[1];
    if (fpr === undefined) throw new Error('no fingerprint in gpg --list-secret-keys output');
    home.fingerprint = fpr;
    return home;
  };

  const first = await newGpgHome();

  return {
    ...first,
    root,
    tempDir,
    newGpgHome,
    async newStore(home: GpgHome = first) {
      const store = await tempDir('store');
      await runTool('pass', ['init', home.fingerprint], { ...home.env, PASSWORD_STORE_DIR: store });
      return store;
    },
    async cleanup() {
      for (const home of homes) await runTool('gpgconf', ['--kill', 'gpg-agent'], home.env).catch(() => {});
      await rm(root, { recursive: true, force: true });
    },
  };
}
