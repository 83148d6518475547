import { homedir } from 'node:os';
import { findDirProfile } from './findDirProfile.js';
import { readTrustList, sha256Hex, trustFilePath } from './trustStore.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `vault __dir-profile <dir>`, asked by the shell hook when the working directory changed (answered
 * from bin/run.js before oclif loads). Four lines, for shell code that only splits on newlines:
 * the action (`none`, `use`, `warn`), the profile, the directory holding `.vault-profile`, and for
 * `warn` the message to print once for that directory.
 */
export function dirProfileAnswer(start: string, env: Env): string {
  const found = findDirProfile(start, env['HOME'] || env['USERPROFILE'] || homedir());
  // a line break in the path would break the line-based answer: such a tree is ignored
  if (!found || /[\r\n]/.test(found.file)) return 'none\n\n\n\n';
  if (found.profile === undefined) {
    return `warn\n\n${found.dir}\nvault: ${found.file}: the first line is not a profile name; ignored\n`;
  }
  let trusted = false;
  let listProblem = '';
  try {
    trusted = readTrustList(trustFilePath(env)).files[found.file] === sha256Hex(found.content);
  } catch (error) {
    listProblem = ` (${(error as Error).message})`;
  }
  if (trusted) return `use\n${found.profile}\n${found.dir}\n\n`;
  return `warn\n${found.profile}\n${found.dir}\nvault: ${found.file} is not trusted${listProblem}; run \`vault allow\` to use profile ${found.profile}\n`;
}

/** The bin/run.js entry: prints the answer; 2 for a usage error. */
export function dirProfileMain(argv: readonly string[], env: Env): number {
  const dir = argv[0];
  if (argv.length !== 1 || !dir) {
    process.stderr.write('usage: vault __dir-profile <directory>\n');
    return 2;
  }
  process.stdout.write(dirProfileAnswer(dir, env));
  return 0;
}
