/**
 * Minimal XML writing for AWS query-protocol responses. Handlers describe a
 * result as a plain value tree ({@link ResultValue}); this module renders it
 * the way AWS does: objects become nested elements in key order, arrays
 * become lists of <member> elements, dates become ISO-8601 in UTC.
 */

/** A response value: the same tree renders as XML here and as JSON in protocol.ts. */
export type ResultValue = string | number | boolean | Date | ResultValue[] | ResultObject;
export interface ResultObject {
  [key: string]: ResultValue | undefined;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch] ?? ch);
}

/** AWS timestamps carry no milliseconds: 2024-01-02T03:04:05Z. */
export function isoSeconds(date: Date | number): string {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `<name>inner</name>`, where `inner` is already XML. */
export function element(name: string, inner: string, attributes: Record<string, string> = {}): string {
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  return `<${name}${attrs}>${inner}</${name}>`;
}

/** Renders the contents (not the enclosing element) of a value. */
export function renderValue(value: ResultValue): string {
  if (value instanceof Date) return escapeXml(isoSeconds(value));
  if (Array.isArray(value)) return value.map((item) => element('member', renderValue(item))).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter((entry): entry is [string, ResultValue] => entry[1] !== undefined)
      .map(([key, child]) => element(key, renderValue(child)))
      .join('');
  }
  return escapeXml(String(value));
}
