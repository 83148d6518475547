import { VaultError } from '@awsvault/core';
import type { GeneratedProfile } from './generatedProfiles.js';

/**
 * Generated profiles live between two comment lines per sso-session; everything outside them is the
 * user's and is kept byte for byte.
 */
export const blockBegin = (session: string) => `# >>> vault sso populate: sso-session ${session} >>> generated, edits inside are replaced`;
export const blockEnd = (session: string) => `# <<< vault sso populate: sso-session ${session} <<<`;
const BEGIN = /^# >>> vault sso populate: sso-session (\S+) >>>/;
const END = /^# <<< vault sso populate: sso-session (\S+) <<<\s*$/;
const HEADER = /^\s*\[\s*([^\]]*?)\s*\]/;

export interface MergeInput {
  /** The config file as read ('' when it does not exist). */
  text: string;
  file: string;
  session: string;
  profiles: readonly GeneratedProfile[];
  /** Drop generated profiles whose account/role is no longer listed. */
  prune: boolean;
  /** A name clash with a profile written by hand is an error instead of a skipped profile. */
  strict: boolean;
}

/** A generated profile of an earlier run. */
export interface OldProfile {
  name: string;
  accountId: string | undefined;
  roleName: string | undefined;
}

export interface MergeResult {
  text: string;
  added: string[];
  updated: string[];
  unchanged: string[];
  /** Generated earlier for a role no longer listed; kept (without prune) or removed (with prune). */
  stale: OldProfile[];
  /** Generated earlier for a role that now gets another name (the template changed); replaced. */
  renamed: OldProfile[];
  /** Not written: the name belongs to a profile written by hand or to another sso-session's block. */
  skipped: Array<{ name: string; reason: string }>;
}

interface Block {
  session: string;
  /** Line indexes of the begin and end markers. */
  begin: number;
  end: number;
}

interface OldSection extends OldProfile {
  lines: string[];
}

/** Lines with their terminators, so joining them gives the text back exactly. */
export function splitLines(text: string): string[] {
  const lines = text.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g);
  return lines ?? [];
}

const bare = (line: string) => line.replace(/\r?\n$|\r$/, '');

function findBlocks(lines: readonly string[], file: string): Block[] {
  const blocks: Block[] = [];
  let open: { session: string; begin: number } | undefined;
  lines.forEach((raw, index) => {
    const line = bare(raw);
    const begin = BEGIN.exec(line);
    const end = END.exec(line);
    if (begin) {
      if (open) throw markerError(file, index, `a second begin marker inside the block of sso-session ${open.session} (line ${open.begin + 1})`);
      open = { session: begin[1] as string, begin: index };
    } else if (end) {
      if (!open || open.session !== end[1]) throw markerError(file, index, `an end marker for sso-session ${end[1]} without its begin marker`);
      blocks.push({ session: open.session, begin: open.begin, end: index });
      open = undefined;
    }
  });
  if (open) throw markerError(file, open.begin, `the block of sso-session ${open.session} has no end marker`);
  return blocks;
}

function markerError(file: string, index: number, what: string): VaultError {
  return new VaultError('CONFIG_INVALID', `${file}:${index + 1}: ${what}`, { hint: 'restore the marker lines of `vault sso populate`, or delete the whole block and run it again' });
}

function profileName(header: string): string | undefined {
  if (header === 'default') return 'default';
  const m = /^profile\s+(.+)$/.exec(header);
  return m ? (m[1] as string).trim() : undefined;
}

/** The sections of a block (between its markers), with their raw lines and the role they are for. */
function oldSections(lines: readonly string[], block: Block): OldSection[] {
  const sections: OldSection[] = [];
  let current: OldSection | undefined;
  for (let i = block.begin + 1; i < block.end; i++) {
    const raw = lines[i] as string;
    const header = HEADER.exec(bare(raw));
    if (header) {
      const name = profileName(header[1] as string);
      current = name === undefined ? undefined : { name, accountId: undefined, roleName: undefined, lines: [] };
      if (current) sections.push(current);
    }
    if (!current) continue;
    current.lines.push(raw);
    const kv = /^\s*([A-Za-z0-9_]+)\s*[=:]\s*(.*?)\s*$/.exec(bare(raw));
    if (kv?.[1]?.toLowerCase() === 'sso_account_id') current.accountId = kv[2];
    if (kv?.[1]?.toLowerCase() === 'sso_role_name') current.roleName = kv[2];
  }
  return sections;
}

function renderSection(profile: GeneratedProfile, eol: string): string[] {
  return [`[profile ${profile.name}]${eol}`, ...profile.keys.map(([k, v]) => `${k} = ${v}${eol}`), eol];
}

/** Section text without trailing blank lines or line-ending differences, to tell "unchanged". */
const normalized = (lines: readonly string[]) => lines.map(bare).join('\n').trimEnd();

/**
 * Writes `profiles` into the block of `session`: the block is replaced where it is, or appended at
 * the end of the file; nothing outside any block changes. A name used by a profile outside the
 * blocks (written by hand) or in another session's block is skipped, or an error with `strict`.
 */
export function mergeGeneratedBlock(input: MergeInput): MergeResult {
  const lines = splitLines(input.text);
  const eol = input.text.includes('\r\n') ? '\r\n' : '\n';
  const blocks = findBlocks(lines, input.file);
  const inBlock = new Set<number>();
  for (const b of blocks) for (let i = b.begin; i <= b.end; i++) inBlock.add(i);
  const handWritten = new Set<string>();
  lines.forEach((raw, index) => {
    if (inBlock.has(index)) return;
    const header = HEADER.exec(bare(raw));
    const name = header ? profileName(header[1] as string) : undefined;
    if (name !== undefined) handWritten.add(name);
  });
  const otherBlocks = new Map<string, string>();
  for (const b of blocks) if (b.session !== input.session) for (const s of oldSections(lines, b)) otherBlocks.set(s.name, b.session);

  const ours = blocks.find((b) => b.session === input.session);
  const old = ours ? oldSections(lines, ours) : [];
  const oldByName = new Map(old.map((s) => [s.name, s]));
  const result: MergeResult = { text: input.text, added: [], updated: [], unchanged: [], stale: [], renamed: [], skipped: [] };

  const written: Array<{ name: string; lines: string[] }> = [];
  const roleKey = (accountId: string | undefined, roleName: string | undefined) => `${accountId ?? ''}/${roleName ?? ''}`;
  const listed = new Set<string>();
  for (const profile of input.profiles) {
    listed.add(roleKey(profile.accountId, profile.roleName));
    const owner = handWritten.has(profile.name) ? 'a profile written by hand' : otherBlocks.has(profile.name) ? `a profile generated for sso-session ${otherBlocks.get(profile.name)}` : undefined;
    if (owner !== undefined) {
      if (input.strict) {
        throw new VaultError('PROFILE_NAME_CLASH', `${input.file}: profile ${profile.name} (role ${profile.roleName} in account ${profile.accountId}) is already ${owner}`, {
          hint: 'rename that profile, or change --profile-template; without --strict it is skipped',
        });
      }
      result.skipped.push({ name: profile.name, reason: owner });
      continue;
    }
    const section = renderSection(profile, eol);
    const before = oldByName.get(profile.name);
    if (!before) result.added.push(profile.name);
    else if (normalized(before.lines) === normalized(section)) result.unchanged.push(profile.name);
    else result.updated.push(profile.name);
    written.push({ name: profile.name, lines: section });
  }
  const writtenNames = new Set(written.map((w) => w.name));
  for (const section of old) {
    if (writtenNames.has(section.name)) continue;
    if (listed.has(roleKey(section.accountId, section.roleName))) {
      result.renamed.push({ name: section.name, accountId: section.accountId, roleName: section.roleName });
      continue;
    }
    result.stale.push({ name: section.name, accountId: section.accountId, roleName: section.roleName });
    if (!input.prune) {
      const kept = [...section.lines];
      if (!/(\r\n|\n|\r)$/.test(kept.at(-1) ?? '')) kept[kept.length - 1] += eol;
      if (bare(kept.at(-1) ?? '').trim() !== '') kept.push(eol);
      written.push({ name: section.name, lines: kept });
    }
  }
  written.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const block = written.length === 0 ? [] : [`${blockBegin(input.session)}${eol}`, ...written.flatMap((w) => w.lines), `${blockEnd(input.session)}${eol}`];
  if (ours) {
    const endLine = lines[ours.end] as string;
    // The end marker of the last line of a file without a final newline keeps having none.
    if (block.length > 0 && !/(\r\n|\n|\r)$/.test(endLine)) block[block.length - 1] = blockEnd(input.session);
    result.text = [...lines.slice(0, ours.begin), ...block, ...lines.slice(ours.end + 1)].join('');
  } else if (block.length > 0) {
    let text = input.text;
    if (text !== '' && !/(\r\n|\n|\r)$/.test(text)) text += eol;
    // A blank line between the user's last line and the block (only added, never taken away).
    if (text.trim() !== '' && bare(splitLines(text).at(-1) ?? '').trim() !== '') text += eol;
    result.text = text + block.join('');
  }
  return result;
}
