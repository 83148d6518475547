/**
 * A table as Go's tabwriter writes it with aws-vault's settings (minwidth 25, padding 2, every cell
 * tab-terminated): each column left-aligned and padded with spaces to max(25, widest cell + 2),
 * the last column included. Widths count code points, as tabwriter counts runes.
 */
export function formatTable(rows: string[][]): string {
  const lengths = rows.map((row) => row.map(codePoints));
  const widths: number[] = [];
  for (const row of lengths) row.forEach((length, i) => (widths[i] = Math.max(widths[i] ?? 25, length + 2)));
  let out = '';
  rows.forEach((row, r) => {
    row.forEach((cell, i) => (out += cell + ' '.repeat((widths[i] ?? 25) - (lengths[r]?.[i] ?? 0))));
    out += '\n';
  });
  return out;
}

/** Code points in `text`; the spread that counts them is skipped for ASCII, which is nearly every cell. */
function codePoints(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text.length : [...text].length;
}
