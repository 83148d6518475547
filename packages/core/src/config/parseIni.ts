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
  /**
   * Nested values: the indented `sub = value` lines under a key with an empty value, by key and
   * sub-key (both lower-cased). Only `[services name]` sections use them (per-service endpoints).
   */
  readonly nested?: Map<string, Map<string, IniEntry>>;
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
 *
 * The whole file is checked here, so every syntax error names its line at once, but a section's
 * keys are only turned into entries when its `entries` are first read: `list` and a
 * credential_process call need two or three sections of configs that hold thousands.
 */
export function parseIni(text: string, path: string): IniFile {
  if (text.includes('\0')) {
    const line = text.slice(0, text.indexOf('\0')).split(/\r\n|\n|\r/).length;
    throw syntaxError(path, line, 'contains a NUL byte');
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.includes('\r') ? body.split(/\r\n|\n|\r/) : body.split('\n');
  const ranges = new Map<string, { line: number; spans: number[] }>();
  let spans: number[] | undefined;
  walkLines(
    lines,
    0,
    lines.length,
    (trimmed, i) => {
      const match = SECTION.exec(trimmed);
      if (!match) throw syntaxError(path, i + 1, `section header ${JSON.stringify(trimmed)} is not closed with "]"`);
      const name = match[1] ?? '';
      if (name === '') throw syntaxError(path, i + 1, 'section header has no name');
      let range = ranges.get(name);
      if (!range) ranges.set(name, (range = { line: i + 1, spans: [] }));
      spans = range.spans;
      spans.push(i + 1, lines.length);
    },
    (trimmed, i) => {
      const delimiter = firstDelimiter(trimmed);
      if (delimiter <= 0) throw syntaxError(path, i + 1, `expected "key = value", got ${JSON.stringify(truncate(trimmed))}`);
      // Only a continued value needs reading now; for the rest, whether it is empty is enough.
      const key = trimmed.endsWith('\\') ? readEntry(lines, i, trimmed, delimiter) : { last: i, empty: isEmptyValue(trimmed, delimiter) };
      if (spans) spans[spans.length - 1] = key.last + 1;
      return key;
    },
  );
  const sections = new Map<string, IniSection>();
  for (const [name, range] of ranges) sections.set(name, new LazySection(name, range.line, lines, range.spans));
  return { path, sections };
}

/** A section whose entries are read from its line spans (start, end pairs) on first use. */
class LazySection implements IniSection {
  #entries: Map<string, IniEntry> | undefined;
  #nested: Map<string, Map<string, IniEntry>> | undefined;
  constructor(
    readonly name: string,
    readonly line: number,
    private readonly lines: readonly string[],
    private readonly spans: readonly number[],
  ) {}

  get entries(): Map<string, IniEntry> {
    return (this.#entries ??= readEntries(this.lines, this.spans));
  }

  set entries(value: Map<string, IniEntry>) {
    this.#entries = value;
  }

  get nested(): Map<string, Map<string, IniEntry>> {
    return (this.#nested ??= readNested(this.lines, this.spans));
  }
}

/** The entries of already-checked lines, read with the same walk as the check in parseIni. */
function readEntries(lines: readonly string[], spans: readonly number[]): Map<string, IniEntry> {
  const entries = new Map<string, IniEntry>();
  for (let s = 0; s < spans.length; s += 2) {
    // A span holds one section's lines, never a header.
    walkLines(lines, spans[s] as number, spans[s + 1] as number, () => {}, (trimmed, i) => {
      const delimiter = firstDelimiter(trimmed);
      const entry = readEntry(lines, i, trimmed, delimiter);
      entries.set(trimmed.slice(0, delimiter).trim().toLowerCase(), { value: entry.value, line: i + 1 });
      return entry;
    });
  }
  return entries;
}

/**
 * The nested values of already-checked lines: for each key whose value is empty, the indented
 * `sub = value` lines right after it (comments skipped; a line without a delimiter is ignored, as
 * the walk ignores every nested line).
 */
function readNested(lines: readonly string[], spans: readonly number[]): Map<string, Map<string, IniEntry>> {
  const nested = new Map<string, Map<string, IniEntry>>();
  for (let s = 0; s < spans.length; s += 2) {
    walkLines(lines, spans[s] as number, spans[s + 1] as number, () => {}, (trimmed, i) => {
      const delimiter = firstDelimiter(trimmed);
      const entry = readEntry(lines, i, trimmed, delimiter);
      if (!entry.empty) return entry;
      const key = trimmed.slice(0, delimiter).trim().toLowerCase();
      const values = nested.get(key) ?? new Map<string, IniEntry>();
      let last = entry.last;
      // The span ends at the section's last key line; its nested lines may follow it.
      for (let j = last + 1; j < lines.length; j++) {
        const raw = lines[j] as string;
        const sub = raw.trim();
        if (sub === '' || sub.startsWith('[') || !/^\s/.test(raw)) break;
        last = j;
        if (sub.startsWith('#') || sub.startsWith(';')) continue;
        const at = firstDelimiter(sub);
        if (at > 0) values.set(sub.slice(0, at).trim().toLowerCase(), { value: cleanValue(sub.slice(at + 1)), line: j + 1 });
      }
      if (values.size > 0) nested.set(key, values);
      return { last, empty: false };
    });
  }
  return nested;
}

/**
 * Walks lines [start, end) as go-ini reads them: blank and comment lines skipped, a `[` line to
 * `onHeader`, indented lines under a key whose value is empty skipped as nested values, any other
 * line to `onKey`, which says the last line its value used and whether the value is empty.
 */
function walkLines(
  lines: readonly string[],
  start: number,
  end: number,
  onHeader: (trimmed: string, i: number) => void,
  onKey: (trimmed: string, i: number) => { last: number; empty: boolean },
): void {
  let nested = false;
  for (let i = start; i < end; i++) {
    const raw = lines[i] as string;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const first = trimmed.charCodeAt(0);
    if (first === 35 /* # */ || first === 59 /* ; */) continue;
    if (first === 91 /* [ */) {
      onHeader(trimmed, i);
      nested = false;
      continue;
    }
    if (nested && raw !== trimmed && /^\s/.test(raw)) continue;
    const key = onKey(trimmed, i);
    i = key.last;
    nested = key.empty;
  }
}

/**
 * Whether the value after `delimiter` cleans to '' (which makes the indented lines after it nested
 * values), decided without slicing for the common case of a value that starts with a plain character.
 */
function isEmptyValue(trimmed: string, delimiter: number): boolean {
  for (let j = delimiter + 1; j < trimmed.length; j++) {
    const c = trimmed.charCodeAt(j);
    if (c === 32 || c === 9) continue;
    if (c === 34 || c === 39 || c === 96 || c > 126 || c < 32) return cleanValue(trimmed.slice(delimiter + 1)) === ''; // quotes, exotic spaces
    return false;
  }
  return true;
}

/** The value of the key line at `i` (backslash continuations joined), and the last line it used. */
function readEntry(lines: readonly string[], i: number, trimmed: string, delimiter: number): { value: string; last: number; empty: boolean } {
  let value = trimmed.slice(delimiter + 1);
  while (value.endsWith('\\') && i + 1 < lines.length) {
    i++;
    value = value.slice(0, -1) + (lines[i] as string).trim();
  }
  const cleaned = cleanValue(value);
  return { value: cleaned, last: i, empty: cleaned === '' };
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
  if (!/[#;"'`]/.test(v)) return v; // nearly every value: nothing to unquote or strip
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
