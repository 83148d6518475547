/** Global flags that take a value, as aws-vault has them. */
const VALUE_FLAGS = new Set(['--backend', '--prompt', '--file-dir', '--pass-dir', '--pass-cmd', '--pass-prefix', '--secret-service-collection', '--keychain']);
const BOOLEAN_FLAGS = new Set(['--debug']);

/**
 * aws-vault accepts global flags before the command (`aws-vault --debug exec dev`); oclif would
 * read the first flag's value as a command name. Moves leading global flags after the command;
 * anything else is left alone (`--help`, `--version`, unknown flags, no command).
 */
export function hoistGlobalFlags(argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const token = argv[i] as string;
    const name = token.includes('=') ? token.slice(0, token.indexOf('=')) : token;
    if (BOOLEAN_FLAGS.has(token)) {
      leading.push(token);
      i += 1;
    } else if (VALUE_FLAGS.has(name)) {
      if (name !== token) {
        leading.push(token);
        i += 1;
      } else {
        if (i + 1 >= argv.length) return [...argv];
        leading.push(token, argv[i + 1] as string);
        i += 2;
      }
    } else {
      break;
    }
  }
  const command = argv[i];
  if (leading.length === 0 || command === undefined || command.startsWith('-')) return [...argv];
  return [command, ...leading, ...argv.slice(i + 1)];
}
