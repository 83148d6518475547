import { EXPORT_FORMATS, type ExportFormat } from '../export/formatCredentials.js';

/** What the fast path understood of `vault export …` / `vault exec …`. */
export interface FastRequest {
  command: 'export' | 'exec';
  profile: string | undefined;
  format: ExportFormat;
  json: boolean;
  noSession: boolean;
  backend?: string;
  prompt?: string;
  fileDir?: string;
  region?: string;
  duration?: string;
  mfaToken?: string;
  /** exec: the command and its arguments (after `--`). */
  childArgv: string[];
}

const VALUE_FLAGS: Record<string, keyof FastRequest> = {
  '--format': 'format', '--backend': 'backend', '--prompt': 'prompt', '--file-dir': 'fileDir', '--region': 'region',
  '--duration': 'duration', '-d': 'duration', '--mfa-token': 'mfaToken', '-t': 'mfaToken',
};
const BOOLEAN_FLAGS: Record<string, 'noSession' | 'json' | 'stdout'> = { '--no-session': 'noSession', '-n': 'noSession', '--stdout': 'stdout', '--json': 'json', '-j': 'json' };

/**
 * Parses the argv of `export` / `exec` for the fast path, or returns undefined for anything it does
 * not fully understand (an unknown flag, `--debug`, `--help`, a server mode), so oclif does the job.
 */
export function parseFastArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): FastRequest | undefined {
  const [command, ...rest] = argv;
  if (command !== 'export' && command !== 'exec') return undefined;
  const request: FastRequest = { command, profile: undefined, format: 'env', json: false, noSession: false, childArgv: [] };
  const setFromEnv = (key: 'backend' | 'prompt' | 'fileDir' | 'duration', variable: string) => {
    const value = env[variable];
    if (value) request[key] = value;
  };
  setFromEnv('backend', 'AWS_VAULT_BACKEND');
  setFromEnv('prompt', 'AWS_VAULT_PROMPT');
  setFromEnv('fileDir', 'AWS_VAULT_FILE_DIR');
  setFromEnv('duration', 'AWS_VAULT_DURATION');
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] as string;
    if (token === '--') {
      if (command !== 'exec') return undefined;
      request.childArgv = rest.slice(i + 1);
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      positional.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq > 0 && token.startsWith('--') ? token.slice(0, eq) : token;
    const booleanKey = BOOLEAN_FLAGS[name];
    if (booleanKey && eq < 0) {
      if (booleanKey === 'json' && command !== 'exec') return undefined;
      if (booleanKey !== 'stdout') request[booleanKey] = true;
      continue;
    }
    const valueKey = VALUE_FLAGS[name];
    if (!valueKey || (valueKey === 'format' && command !== 'export')) return undefined;
    const value = eq > 0 ? token.slice(eq + 1) : rest[++i];
    if (value === undefined) return undefined;
    (request as unknown as Record<string, unknown>)[valueKey] = value;
  }
  if (!(EXPORT_FORMATS as readonly string[]).includes(request.format)) return undefined;
  if (command === 'export') {
    if (positional.length !== 1) return undefined;
    request.profile = positional[0];
  } else {
    // `vault exec dev cmd args` without `--` also runs cmd in oclif's parsing; keep it simple here.
    if (positional.length > 1) return undefined;
    request.profile = positional[0] ?? env['AWS_PROFILE'];
    if (!request.profile) return undefined;
  }
  return request;
}
