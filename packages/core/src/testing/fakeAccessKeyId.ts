/**
 * An access key id for tests, made at run time from a label: `AKIA` and the label in capitals,
 * padded with `X` to AWS's 20 characters. Nobody mistakes it for a real key, and no key-shaped
 * literal sits in the sources.
 * @public
 */
export function fakeAccessKeyId(label: string): string {
  return `AKIA${label.toUpperCase().replace(/[^0-9A-Z]/g, '').padEnd(16, 'X').slice(0, 16)}`;
}
