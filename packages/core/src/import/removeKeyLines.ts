import { VaultError } from '../errors.js';
import { parseIni, type IniFile } from '../config/parseIni.js';

/** The key lines that hold long-term keys; only these are removed. */
const KEY_NAMES = new Set(['aws_access_key_id', 'aws_secret_access_key']);
/** The same header rule as parseIni. */
const SECTION = /^\[\s*([^\]]*?)\s*\](?:\s*[#;].*)?$/;

interface Line {
  /** The line without its terminator. */
  body: string;
  /** Its terminator (`\n`, `\r\n`, `\r` or nothing on the last line). */
  end: string;
}

type Role =
  | { kind: 'header'; block: number }
  | { kind: 'key'; block: number; key: string }
  | { kind: 'other'; block: number };

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const pattern = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const [, body = '', end = ''] = match;
    if (body === '' && end === '') break;
    lines.push({ body, end });
  }
  return lines;
}

/**
 * Removes the `aws_access_key_id` and `aws_secret_access_key` lines (with their continuation lines)
 * of the named sections, and the header of any section block left without a key; every other byte
 * stays as it was. Lines are classified with the same rules as `parseIni`, and the result is parsed
 * again to prove that nothing but those keys changed.
 * @public
 */
export function removeKeyLines(text: string, profiles: readonly string[], path: string): string {
  const wanted = new Set(profiles);
  const lines = splitLines(text);
  const roles: Role[] = [];
  const blockSection: Array<string | undefined> = [undefined];
  let block = 0;
  let nestedUnder: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = (i === 0 ? lines[i]!.body.replace(/^\uFEFF/, '') : lines[i]!.body);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      roles.push({ kind: 'other', block });
      continue;
    }
    if (trimmed.startsWith('[')) {
      const match = SECTION.exec(trimmed);
      block = blockSection.length;
      blockSection.push(match?.[1]);
      nestedUnder = undefined;
      roles.push({ kind: 'header', block });
      continue;
    }
    if (/^\s/.test(raw) && nestedUnder !== undefined) {
      roles.push({ kind: 'other', block });
      continue;
    }
    const eq = trimmed.indexOf('=');
    const colon = trimmed.indexOf(':');
    const delimiter = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    const key = trimmed.slice(0, Math.max(delimiter, 0)).trim().toLowerCase();
    let value = trimmed.slice(delimiter + 1);
    roles.push({ kind: 'key', block, key });
    while (value.endsWith('\\') && i + 1 < lines.length) {
      i++;
      value = value.slice(0, -1) + lines[i]!.body.trim();
      roles.push({ kind: 'key', block, key });
    }
    nestedUnder = value.trim() === '' ? key : undefined;
  }

  const drop = roles.map((role) => role.kind === 'key' && KEY_NAMES.has(role.key) && wanted.has(blockSection[role.block] ?? '\0'));
  const keptKeys = new Set<number>();
  roles.forEach((role, i) => {
    if (role.kind === 'key' && !drop[i]) keptKeys.add(role.block);
  });
  roles.forEach((role, i) => {
    if (role.kind === 'header' && wanted.has(blockSection[role.block] ?? '\0') && !keptKeys.has(role.block)) drop[i] = true;
  });
  const result = lines.filter((_, i) => !drop[i]).map((line) => line.body + line.end).join('');
  checkOnlyKeysRemoved(parseIni(text, path), parseIni(result, path), wanted, path);
  return result;
}

/** The rewrite must leave every other value as the parser saw it; otherwise nothing is written. */
function checkOnlyKeysRemoved(before: IniFile, after: IniFile, wanted: ReadonlySet<string>, path: string): void {
  const fail = (what: string) =>
    new VaultError('IMPORT_REWRITE_FAILED', `${path}: removing the imported keys would change ${what}; the file was left as it was`, {
      hint: 'remove the aws_access_key_id and aws_secret_access_key lines by hand',
    });
  for (const [name, section] of before.sections) {
    const kept = [...section.entries].filter(([key]) => !(wanted.has(name) && KEY_NAMES.has(key)));
    const now = after.sections.get(name);
    if (kept.length === 0) {
      if (now !== undefined && now.entries.size > 0) throw fail(`section [${name}]`);
      continue;
    }
    if (now === undefined || now.entries.size !== kept.length) throw fail(`section [${name}]`);
    for (const [key, entry] of kept) if (now.entries.get(key)?.value !== entry.value) throw fail(`${key} in [${name}]`);
  }
  for (const name of after.sections.keys()) if (!before.sections.has(name)) throw fail(`the section list`);
}
