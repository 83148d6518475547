/**
 * Parses `session_tags` (`k1=v1,k2=v2`): every part needs an `=`, split on the first one, both
 * sides trimmed. Returns undefined when the text is malformed, so the caller can name its source.
 * @public
 */
export function parseSessionTags(text: string): Record<string, string> | undefined {
  const tags: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    if (key === '') return undefined;
    tags[key] = part.slice(eq + 1).trim();
  }
  return tags;
}

/** Parses `transitive_session_tags` (`k1,k2`): trimmed, empty parts dropped. @public */
export function parseTransitiveTags(text: string): string[] {
  return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
}
