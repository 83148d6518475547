import { VaultError } from '../errors.js';

/** One `key = value` line, with where it came from. */
export interface IniEntry {
  value: string;
  line: number;
}

/** One `[section]` with its keys (lower-cased) in file order. Repeated sections are merged. */
export interface IniSection {
  name: string;
  line: number;
  entries: Map<string, IniEntry>;
}

export interface IniFile {
  path: string;
  sections: Map<string, IniSection>;
}

const SECTION = /^\[\s*([^\]]*?)\s*\](?:\s*[#;].*)?$/;

/**
 * Parses an AWS config/credentials file the way aws-vault (go-ini, as ByteNess configures it) and
 * the AWS CLI agree on: keys case-insensitive, section names case-sensitive, `=` or `:` as the
 * delimiter, `#`/`;` comment lines, inline comments only after whitespace (so `start#/` in a URL
 * survives), matching quotes removed, indented lines under an empty value as nested values (ignored,
 * like aws-vault), a trailing backslash continuing the value. Written by hand because no ini library
 * reports the line of a syntax error or keeps `#` inside unquoted values; the line is what the user
 * needs to fix the file.
 */
export function parseIni(text: string, path: string): IniFile {
  const sections = new Map<string, IniSection>();
  let current: IniSection | undefined;
  let nestedUnder: string | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let raw = lines[i] ?? '';
    if (raw.includes('\0')) throw syntaxError(path, lineNo, 'contains a NUL byte');
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (trimmed.startsWith('[')) {
      const match = SECTION.exec(trimmed);
      if (!match) throw syntaxError(path, lineNo, `section header ${JSON.stringify(trimmed)} is not closed with "]"`);
      const name = match[1] ?? '';
      if (name === '') throw syntaxError(path, lineNo, 'section header has no name');
      current = sections.get(name) ?? { name, line: lineNo, entries: new Map() };
      sections.set(name, current);
      nestedUnder = undefined;
      continue;
    }
    if (/^\s/.test(raw) && nestedUnder !== undefined) continue; // nested value (e.g. `s3 =` block)
    const delimiter = firstDelimiter(trimmed);
    if (delimiter <= 0) throw syntaxError(path, lineNo, `expected "key = value", got ${JSON.stringify(truncate(trimmed))}`);
    const key = trimmed.slice(0, delimiter).trim().toLowerCase();
    let value = trimmed.slice(delimiter + 1);
    while (value.endsWith('\\') && i + 1 < lines.length) {
      i++;
      raw = lines[i] ?? '';
      if (raw.includes('\0')) throw syntaxError(path, i + 1, 'contains a NUL byte');
      value = value.slice(0, -1) + raw.trim();
    }
    value = cleanValue(value);
    nestedUnder = value === '' ? key : undefined;
    if (!current) continue; // keys before any section: go-ini's DEFAULT section, ignored by aws-vault
    current.entries.set(key, { value, line: lineNo });
  }
  return { path, sections };
}

function firstDelimiter(line: string): number {
  const eq = line.indexOf('=');
  const colon = line.indexOf(':');
  if (eq < 0) return colon;
  if (colon < 0) return eq;
  return Math.min(eq, colon);
}

function cleanValue(value: string): string {
  const v = value.trim();
  const unquoted = unquote(v);
  if (unquoted !== undefined) return unquoted;
  const comment = /\s[#;]/.exec(v);
  const stripped = (comment ? v.slice(0, comment.index) : v).trim();
  return unquote(stripped) ?? stripped;
}

/**
 * The inside of a value that quotes enclose whole (go-ini's rule); undefined otherwise, so
 * `"/opt/my tools/x" --json` keeps its quotes for credential_process to split as the AWS CLI does.
 */
function unquote(v: string): string | undefined {
  for (const quote of ['"""', '`', '"', "'"]) {
    if (v.length >= 2 * quote.length && v.startsWith(quote) && v.endsWith(quote) && !v.slice(quote.length, -quote.length).includes(quote)) {
      return v.slice(quote.length, -quote.length);
    }
  }
  return undefined;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function syntaxError(path: string, line: number, what: string): VaultError {
  return new VaultError('CONFIG_SYNTAX', `${path}:${line}: ${what}`, {
    hint: 'fix the line or remove it; AWS config files hold [profile name] sections of key = value lines',
  });
}
