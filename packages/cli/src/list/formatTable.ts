/**
 * A table as Go's tabwriter writes it with aws-vault's settings (minwidth 25, padding 2, every cell
 * tab-terminated): each column left-aligned and padded with spaces to max(25, widest cell + 2),
 * the last column included.
 */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 25, [...cell].length + 2)));
  return rows.map((row) => row.map((cell, i) => cell + ' '.repeat((widths[i] ?? 25) - [...cell].length)).join('') + '\n').join('');
}
