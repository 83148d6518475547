/**
 * Reads a field the way Go's JSON decoder does: exact name first, then case-insensitively, so
 * `AccessKeyID`, `AccessKeyId` and `accesskeyid` all match (aws-vault's items depend on this).
 */
export function goField(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Formats a time as RFC 3339 in UTC without fractional seconds (aws-vault's iso8601 format). */
export function iso8601(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
