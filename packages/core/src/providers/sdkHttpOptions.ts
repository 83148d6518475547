import { parseGoDuration } from '../config/parseGoDuration.js';

/** How long one AWS request may take before vault gives up on it (a Go duration). */
export const HTTP_TIMEOUT_ENV = 'AWS_VAULT_HTTP_TIMEOUT';
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Timeouts for every SDK client vault builds. The SDK has none by default, so an endpoint that
 * accepts the connection and never answers would hang `vault export` (and the `aws` call behind
 * it) forever. @public
 */
export function sdkHttpOptions(env: Readonly<Record<string, string | undefined>> = process.env): { requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean } } {
  const configured = env[HTTP_TIMEOUT_ENV] ? parseGoDuration(env[HTTP_TIMEOUT_ENV] as string) : undefined;
  const requestTimeout = configured !== undefined && configured > 0 ? configured : DEFAULT_REQUEST_TIMEOUT_MS;
  return { requestHandler: { connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, requestTimeout), requestTimeout, throwOnRequestTimeout: true } };
}
