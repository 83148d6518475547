import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether `vault plugins install|link` added plugins (they live in oclif's data dir, in a
 * package.json whose `oclif.plugins` lists them). Their hooks can add backends or sources, so the
 * fast path steps aside and lets oclif load them.
 */
export function hasUserPlugins(env: Readonly<Record<string, string | undefined>>): boolean {
  const dataDir = env['VAULT_DATA_DIR'] ||
    (process.platform === 'win32'
      ? join(env['LOCALAPPDATA'] || join(homedir(), 'AppData', 'Local'), 'vault')
      : join(env['XDG_DATA_HOME'] || join(env['HOME'] || homedir(), '.local', 'share'), 'vault'));
  try {
    const pjson = JSON.parse(readFileSync(join(dataDir, 'package.json'), 'utf8')) as { oclif?: { plugins?: unknown[] } };
    return (pjson.oclif?.plugins?.length ?? 0) > 0;
  } catch {
    return false;
  }
}
