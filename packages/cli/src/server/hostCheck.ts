/** The link-local address instances reach their metadata service on. */
export const METADATA_IP = '169.254.169.254';

/** `Host` values a request may carry when it was addressed to the metadata IP (through the proxy). */
export const METADATA_HOSTS: readonly string[] = [METADATA_IP, `${METADATA_IP}:80`];

/** `Host` values of a request addressed to a loopback listener on `port`, as SDKs and the AWS CLI write them. */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * Whether the `Host` header names one of the addresses the server listens on. A DNS-rebinding page
 * reaches the loopback port under its own name (`Host: evil.example:1234`), so anything else is refused.
 */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (typeof host !== 'string' || host.length > 300) return false;
  const wanted = host.toLowerCase();
  return allowed.includes(wanted);
}

/** Whether a peer address is this machine's loopback (IPv4 127/8, `::1`, or IPv4-mapped 127/8). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  return address === '::1';
}

/** A header value safe to echo in a plain-text error: printable ASCII only, and short. */
export function printable(value: string | undefined, max = 100): string {
  const text = (value ?? '').replace(/[^\x20-\x7e]/g, '?');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
