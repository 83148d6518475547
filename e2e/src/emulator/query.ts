/**
 * Parameters of AWS query-protocol requests. The query protocol flattens
 * everything into `Name=value` pairs, with lists as `Name.member.N` and
 * structures in lists as `Name.member.N.Field`. Handlers read that flat map;
 * JSON bodies are flattened into the same shape so one handler serves both.
 */

export type Params = Record<string, string>;

/** Decodes `a=1&b=two+words` (form encoding: '+' is a space). Later duplicates win. */
export function parseQueryString(text: string): Params {
  const params: Params = {};
  for (const [key, value] of new URLSearchParams(text)) params[key] = value;
  return params;
}

/** Flattens a JSON request body into query-protocol parameter names. */
export function flattenJson(value: unknown, prefix = '', out: Params = {}): Params {
  if (Array.isArray(value)) {
    value.forEach((item, index) => flattenJson(item, `${prefix}.member.${index + 1}`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) flattenJson(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (value !== undefined && value !== null && prefix) {
    out[prefix] = String(value);
  }
  return out;
}

/** Indexes of `Name.member.N…` entries, in numeric order. */
function memberIndexes(params: Params, name: string): number[] {
  const prefix = `${name}.member.`;
  const indexes = new Set<number>();
  for (const key of Object.keys(params)) {
    if (!key.startsWith(prefix)) continue;
    const index = Number.parseInt(key.slice(prefix.length), 10);
    if (Number.isInteger(index) && index > 0) indexes.add(index);
  }
  return [...indexes].sort((a, b) => a - b);
}

/** `Name.member.N` scalar list, e.g. TransitiveTagKeys. */
export function memberValues(params: Params, name: string): string[] {
  return memberIndexes(params, name)
    .map((index) => params[`${name}.member.${index}`])
    .filter((value): value is string => value !== undefined);
}

/** `Name.member.N.Field` structure list, e.g. Tags (Key, Value). */
export function memberStructs(params: Params, name: string): Params[] {
  return memberIndexes(params, name).map((index) => {
    const prefix = `${name}.member.${index}.`;
    const struct: Params = {};
    for (const [key, value] of Object.entries(params)) {
      if (key.startsWith(prefix)) struct[key.slice(prefix.length)] = value;
    }
    return struct;
  });
}
