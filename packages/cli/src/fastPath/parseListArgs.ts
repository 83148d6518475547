import { BACKEND_FLAG_ENV } from '../backendFlagEnv.js';

/** What the fast path understood of `vault list …`. */
export interface ListRequest {
  only: 'profiles' | 'credentials' | 'sessions' | undefined;
  backend: string | undefined;
  /** Backend settings given as flags, as the variables the backends read. */
  backendEnv: Record<string, string>;
}

const ONLY_FLAGS = new Set(['--profiles', '--credentials', '--sessions']);

/**
 * Parses `vault list|ls [--profiles|--credentials|--sessions] [backend flags]`, or returns
 * undefined for anything else (`--json`, `--debug`, `--help`, an unknown flag, an argument), which
 * oclif then handles.
 */
export function parseListArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ListRequest | undefined {
  const [command, ...rest] = argv;
  if (command !== 'list' && command !== 'ls') return undefined;
  const given = new Set<string>();
  const request: ListRequest = { only: undefined, backend: env['AWS_VAULT_BACKEND'] || undefined, backendEnv: {} };
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] as string;
    if (ONLY_FLAGS.has(token)) {
      given.add(token.slice(2));
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.startsWith('--') ? token.slice(2, eq > 0 ? eq : undefined) : '';
    if (name !== 'backend' && !(name in BACKEND_FLAG_ENV)) return undefined;
    const value = eq > 0 ? token.slice(eq + 1) : rest[++i];
    if (value === undefined || value.startsWith('-')) return undefined;
    if (name === 'backend') request.backend = value;
    else request.backendEnv[BACKEND_FLAG_ENV[name as keyof typeof BACKEND_FLAG_ENV]] = value;
  }
  // The command's own order: --profiles wins, then --credentials, then --sessions.
  request.only = given.has('profiles') ? 'profiles' : given.has('credentials') ? 'credentials' : given.has('sessions') ? 'sessions' : undefined;
  return request;
}
