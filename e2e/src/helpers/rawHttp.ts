import { rawRequest as rawRequestToPort, type Outcome } from '@awsvault/core/testing';

export { connectionRefused } from '@awsvault/core/testing';

/** One HTTP answer, or what happened to the connection instead (`ECONNRESET`, `timeout`, …). */
export type RawOutcome = Outcome;

/**
 * One request written byte for byte on a fresh connection (no Host added, the target as given, any
 * header size), answer parsed; a hostile client's view of a server at `url`.
 */
export function rawRequest(url: string, options: { method?: string; path: string; headers?: Array<[string, string]>; version?: string; timeoutMs?: number }): Promise<RawOutcome> {
  const { hostname, port } = new URL(url);
  return rawRequestToPort(Number(port), { timeoutMs: 10_000, ...options }, hostname);
}

/** The status as a string, or the connection's fate. */
export function outcomeLabel(outcome: RawOutcome): string {
  return 'status' in outcome ? String(outcome.status) : outcome.error;
}
