import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@awsvault/core';

type Env = Readonly<Record<string, string | undefined>>;

/** The trust list: each allowed `.vault-profile` by absolute path, with the sha256 of its content then. */
export interface TrustList {
  version: 1;
  files: Record<string, string>;
}

/** `$XDG_CONFIG_HOME/vault/trusted-dirs.json`, else `~/.config/vault/trusted-dirs.json`. */
export function trustFilePath(env: Env): string {
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || env['USERPROFILE'] || homedir(), '.config');
  return join(base, 'vault', 'trusted-dirs.json');
}

export function sha256Hex(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Reads the trust list; a missing file is an empty list. Throws (a plain Error naming the file) when
 * it exists but is not a trust list, so nothing is trusted by accident and nothing is overwritten.
 */
export function readTrustList(path: string): TrustList {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, files: {} };
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not JSON`);
  }
  const files = (parsed as { files?: unknown } | null)?.files;
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1 || typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw new Error(`${path} is not a vault trust list ({"version":1,"files":{…}})`);
  }
  const clean: Record<string, string> = {};
  for (const [file, digest] of Object.entries(files)) if (typeof digest === 'string') clean[file] = digest;
  return { version: 1, files: clean };
}

/** Writes the list 0600 through a temp file renamed over the old one, so a crash leaves one or the other. */
export function writeTrustList(path: string, list: TrustList): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileAtomic(path, `${JSON.stringify(list, null, 2)}\n`);
}
