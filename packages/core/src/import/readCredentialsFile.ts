import { readFileSync } from 'node:fs';
import type { Credentials } from '../credentials.js';
import { VaultError } from '../errors.js';
import { parseIni } from '../config/parseIni.js';

/** Long-term keys found in one section of a shared credentials file. @public */
export interface PlaintextKey {
  profile: string;
  credentials: Credentials;
}

/** What a shared credentials file holds, sorted into what can be imported and what cannot. @public */
export interface CredentialsFileContents {
  path: string;
  /** The file's bytes, kept so that a later rewrite changes nothing but the key lines. */
  text: string;
  /** Sections with `aws_access_key_id` and `aws_secret_access_key` and no session token, in file order. */
  keys: PlaintextKey[];
  /** Sections with an `aws_session_token`: temporary credentials, never imported. */
  temporary: string[];
  /** Sections with only one of the two key lines. */
  incomplete: string[];
}

/**
 * Reads `~/.aws/credentials` (or the path given) with the project's ini parser. A missing file is
 * an error naming it; a syntax error names the file and line.
 * @public
 */
export function readCredentialsFile(path: string): CredentialsFileContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new VaultError('IMPORT_SOURCE_MISSING', `${path} does not exist`, { hint: 'set AWS_SHARED_CREDENTIALS_FILE to the credentials file to import' });
    }
    throw new VaultError('IMPORT_SOURCE_UNREADABLE', `cannot read ${path}: ${code ?? (error as Error).message}`);
  }
  return parseCredentialsText(text, path);
}

/** The pure part of `readCredentialsFile`. @public */
export function parseCredentialsText(text: string, path: string): CredentialsFileContents {
  const ini = parseIni(text, path);
  const out: CredentialsFileContents = { path, text, keys: [], temporary: [], incomplete: [] };
  for (const section of ini.sections.values()) {
    const accessKeyId = section.entries.get('aws_access_key_id')?.value ?? '';
    const secretAccessKey = section.entries.get('aws_secret_access_key')?.value ?? '';
    const sessionToken = section.entries.get('aws_session_token')?.value ?? section.entries.get('aws_security_token')?.value ?? '';
    if (accessKeyId === '' && secretAccessKey === '') continue;
    if (sessionToken !== '') out.temporary.push(section.name);
    else if (accessKeyId === '' || secretAccessKey === '') out.incomplete.push(section.name);
    else out.keys.push({ profile: section.name, credentials: { accessKeyId, secretAccessKey } });
  }
  return out;
}
