/**
 * A JSON member name as Go's decoder compares it with a struct field's name when they differ: ASCII
 * letters without regard to case, and the two non-ASCII letters whose simple case folding reaches
 * ASCII, the Kelvin sign and the long s, as `k` and `s` (`toLowerCase` already maps the Kelvin sign).
 * Two names match when their folds are equal; for vault's field names (all ASCII) this is exactly
 * Go's `bytes.EqualFold`.
 */
export function goFoldName(name: string): string {
  return name.toLowerCase().replace(/\u017f/g, 's');
}

/**
 * Reads a field the way Go's JSON decoder does: exact name first, then case-insensitively (see
 * `goFoldName`), so `AccessKeyID`, `AccessKeyId` and `accesskeyid` all match (aws-vault's items
 * depend on this).
 */
export function goField(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const folded = goFoldName(name);
  for (const [key, value] of Object.entries(object)) if (goFoldName(key) === folded) return value;
  return undefined;
}

/**
 * A JSON string literal the way Go's encoder (1.20, aws-vault's) writes it: `"` and `\` escaped,
 * `\n`, `\r` and `\t` short, other control characters and the HTML-sensitive `<`, `>`, `&`, U+2028
 * and U+2029 as lower-case `\u` escapes; a lone surrogate (not UTF-8) as `\ufffd`, as Go writes
 * invalid UTF-8. Everything else is written as it is.
 */
export function goJsonString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029) out += '\\u' + code.toString(16).padStart(4, '0');
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** Formats a time as RFC 3339 in UTC without fractional seconds (aws-vault's iso8601 format). */
export function iso8601(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
