import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, fchmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VaultError } from '../errors.js';

/** Where the backup went. @public */
export interface RewriteResult {
  backupPath: string;
}

function writeNewFile(path: string, content: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask may have narrowed it; never widened
    const bytes = Buffer.from(content, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Replaces a credentials file with `next`: first a backup of the current bytes beside it (mode 0600,
 * never over an existing file), then the new content through a 0600 temp file renamed over the
 * original. Refuses when the file no longer holds `expected` (someone edited it meanwhile).
 * @public
 */
export function rewriteCredentialsFile(path: string, expected: string, next: string, now: Date = new Date()): RewriteResult {
  let current: string;
  try {
    current = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VaultError('IMPORT_REWRITE_FAILED', `cannot read ${path} again: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (current !== expected) {
    throw new VaultError('IMPORT_REWRITE_FAILED', `${path} changed while importing; it was left as it is`, { hint: 'run the import again' });
  }
  let backupPath = '';
  for (let attempt = 0; backupPath === ''; attempt++) {
    const candidate = `${path}.vault-backup-${stamp(now)}${attempt === 0 ? '' : `-${attempt}`}`;
    try {
      writeNewFile(candidate, current);
      backupPath = candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) {
        throw new VaultError('IMPORT_REWRITE_FAILED', `cannot write the backup ${candidate}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
  }
  const temp = join(dirname(path), `.${basename(path)}.vault-tmp-${randomBytes(6).toString('hex')}`);
  try {
    writeNewFile(temp, next);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new VaultError('IMPORT_REWRITE_FAILED', `cannot rewrite ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: `the original is unchanged; a copy is in ${backupPath}`,
    });
  }
  try {
    const dir = openSync(dirname(path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // directories cannot be synced everywhere; the rename is atomic regardless
  }
  return { backupPath };
}
