/**
 * A real pass store for whole-CLI tests: a throw-away GnuPG home with one passphrase-less key made
 * by gpg itself, and a store initialised to it with `pass init`. `stop` ends the gpg-agent that
 * gpg starts on first use, so nothing outlives the test.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run, type RunResult } from './run.js';

export interface PassStore {
  /** GNUPGHOME (mode 0700). */
  gnupgHome: string;
  /** PASSWORD_STORE_DIR. */
  storeDir: string;
  /** The fingerprint of the key the store is encrypted to. */
  fingerprint: string;
  /** What a vault or pass call needs on top of a clean environment. */
  env: Record<string, string>;
  /** Entry names (paths below the store, `.gpg` removed), sorted; `.gpg-id` and `.git` left out. */
  entries(): string[];
  /** `pass show <entry>` with the real pass: the decrypted entry. */
  show(entry: string): Promise<string>;
  /** Kills the gpg-agent of this GNUPGHOME (the files are the caller's to remove). */
  stop(): Promise<void>;
}

async function mustRun(command: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  const r = await run(command, args, env, 30_000);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.trim()}`);
  return r;
}

/** Creates `<root>/gnupg` and `<root>/password-store`; `baseEnv` is a clean environment (HOME, PATH). */
export async function createPassStore(root: string, baseEnv: Record<string, string>): Promise<PassStore> {
  const gnupgHome = join(root, 'gnupg');
  const storeDir = join(root, 'password-store');
  mkdirSync(gnupgHome, { recursive: true, mode: 0o700 });
  chmodSync(gnupgHome, 0o700);
  const env: Record<string, string> = { GNUPGHOME: gnupgHome, PASSWORD_STORE_DIR: storeDir };
  const toolEnv = { ...baseEnv, ...env };
  const stop = async () => {
    await run('gpgconf', ['--kill', 'all'], toolEnv, 10_000).catch(() => undefined);
  };
  try {
    // ed25519/cv25519 without a passphrase: generated in milliseconds, and gpg never asks for a PIN.
    await mustRun('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'vault e2e <vault-e2e@example.invalid>', 'future-default', 'default', 'never'], toolEnv);
    const listing = await mustRun('gpg', ['--batch', '--with-colons', '--list-secret-keys'], toolEnv);
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing.stdout)?.[1];
    if (fingerprint === undefined) throw new Error(`no fingerprint in gpg --list-secret-keys:\n${listing.stdout}`);
    await mustRun('pass', ['init', fingerprint], toolEnv);

    const entries = (): string[] => {
      const out: string[] = [];
      const walk = (dir: string): void => {
        if (!existsSync(dir)) return;
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          if (entry.name === '.git' || entry.name === '.gpg-id') continue;
          const path = join(dir, entry.name);
          if (entry.isDirectory()) walk(path);
          else if (entry.name.endsWith('.gpg')) out.push(relative(storeDir, path).slice(0, -'.gpg'.length));
        }
      };
      walk(storeDir);
      return out.sort();
    };
    return {
      gnupgHome,
      storeDir,
      fingerprint,
      env,
      entries,
      show: async (entry) => (await mustRun('pass', ['show', entry], toolEnv)).stdout,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
