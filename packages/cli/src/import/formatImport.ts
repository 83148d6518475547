import { formatKeyForDisplay, type ImportOutcome, type PlaintextKey } from '@awsvault/core';

const WORDS: Record<ImportOutcome, [done: string, planned: string]> = {
  imported: ['imported', 'would import'],
  overwritten: ['replaced', 'would replace'],
  skipped: ['skipped', 'would skip'],
};

/** One line per profile; the access key id masked as everywhere else, the secret never shown. */
export function itemLine(key: PlaintextKey | string, outcome: ImportOutcome, dryRun: boolean): string {
  const name = typeof key === 'string' ? key : `${key.profile} (${formatKeyForDisplay(key.credentials.accessKeyId)})`;
  const profile = typeof key === 'string' ? key : key.profile;
  const word = WORDS[outcome][dryRun ? 1 : 0];
  return outcome === 'skipped' ? `${name}: ${word}, vault already has ${profile} (--force replaces it)` : `${name}: ${word}`;
}

/** A source entry that is never imported, and why. */
export function notImportedLine(profile: string, why: string): string {
  return `${profile}: not imported, ${why}`;
}

export interface ImportSummary {
  imported: number;
  overwritten: number;
  skipped: string[];
  notImported: string[];
  failed?: string[];
}

/** The last line: counts, and the names of what was left out. */
export function summaryLine(summary: ImportSummary, backend: string, dryRun: boolean): string {
  const parts = [
    `${summary.imported} ${dryRun ? 'to import' : 'imported'}`,
    `${summary.overwritten} ${dryRun ? 'to replace' : 'replaced'}`,
    `${summary.skipped.length} skipped${summary.skipped.length ? ` (already in vault: ${summary.skipped.join(', ')})` : ''}`,
  ];
  if (summary.notImported.length > 0) parts.push(`${summary.notImported.length} not importable (${summary.notImported.join(', ')})`);
  if (summary.failed && summary.failed.length > 0) parts.push(`${summary.failed.length} failed (${summary.failed.join(', ')})`);
  return `${dryRun ? 'Dry run, nothing changed' : `Import into ${backend} done`}: ${parts.join(', ')}.`;
}
