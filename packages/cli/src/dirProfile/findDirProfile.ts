import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/** The nearest `.vault-profile` above a directory. */
export interface DirProfileFile {
  /** Absolute path of the file. */
  file: string;
  /** The directory that holds it: the root of the tree it applies to. */
  dir: string;
  content: Buffer;
  /** The profile named on the first line, or undefined when that line is not a usable name. */
  profile: string | undefined;
}

export const DIR_PROFILE_FILE = '.vault-profile';

/**
 * Looks for `.vault-profile` in `start` and each parent, up to `home` when `start` is inside it
 * (files above the home directory are someone else's), else up to the root.
 */
export function findDirProfile(start: string, home: string | undefined): DirProfileFile | undefined {
  let dir = resolve(start);
  const stop = home ? resolve(home) : undefined;
  const insideHome = stop !== undefined && (dir === stop || dir.startsWith(stop.endsWith(sep) ? stop : stop + sep));
  for (;;) {
    const file = join(dir, DIR_PROFILE_FILE);
    let content: Buffer | undefined;
    try {
      content = readFileSync(file);
    } catch {
      content = undefined; // absent, a directory, unreadable: keep looking
    }
    if (content) return { file, dir, content, profile: profileOnFirstLine(content) };
    if (insideHome && dir === stop) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The first line, trimmed; refused when empty, a flag (`-…`) or holding control characters. */
export function profileOnFirstLine(content: Buffer): string | undefined {
  const name = (content.toString('utf8').split('\n')[0] ?? '').trim();
  // eslint-disable-next-line no-control-regex
  if (name === '' || name.startsWith('-') || /[\u0000-\u001f\u007f]/.test(name)) return undefined;
  return name;
}
