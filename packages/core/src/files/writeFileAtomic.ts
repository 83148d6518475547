import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `text` so a reader sees the old file or the new one, never a part: a temp
 * file beside it, flushed, then renamed over it. The file gets `mode` (default 0600, for files that
 * hold secrets), or with `keepMode` keeps the mode it had (a user's config file); a symlink is
 * followed, so the link stays and its target is replaced. The directory must exist. @public
 */
export function writeFileAtomic(path: string, text: string, options: { mode?: number; keepMode?: boolean } = {}): void {
  const mode = options.mode ?? 0o600;
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // does not exist yet: written where it was asked for
  }
  let fileMode = mode;
  if (options.keepMode) {
    try {
      fileMode = statSync(target).mode & 0o7777;
    } catch {
      // new file
    }
  }
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', fileMode);
  try {
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, target);
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
