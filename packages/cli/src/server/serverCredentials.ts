import { DEFAULT_MIN_TTL_SECONDS, formatGoDuration, formatKeyForDisplay, iso8601, isVaultError, parseGoDuration, silentLogger, VaultError, type CredentialProvider, type Credentials, type DebugLogger } from '@awsvault/core';

/** What a server reports as the expiry of credentials that never expire (long-term keys from a source). */
const NON_EXPIRING_REPORT_MS = 60 * 60 * 1000;
/** After a failed fetch, requests get the same answer for this long instead of calling again. */
const DEFAULT_RETRY_AFTER_FAILURE_MS = 1000;
/** A refresh is never scheduled sooner than this after a fetch, so odd clocks cannot make a hot loop. */
const MIN_REUSE_MS = 1000;

/**
 * The refresh window of the servers, in milliseconds: `AWS_MIN_TTL` (a Go duration, as the session
 * cache reads it), default five minutes. aws-vault's servers used a window of 0 and handed out
 * credentials until the instant they expired (Appendix A 15); SDKs refresh five to fifteen minutes
 * early, so a server must already have newer credentials by then.
 */
export function refreshWindowMs(env: Readonly<Record<string, string | undefined>>): number {
  const text = env['AWS_MIN_TTL'];
  if (!text) return DEFAULT_MIN_TTL_SECONDS * 1000;
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0) throw new VaultError('ENV_INVALID', `environment variable AWS_MIN_TTL=${text} is not a duration`, { hint: 'use a duration with a unit, such as 5m' });
  return ms;
}

/**
 * When credentials fetched at `fetchedAt` should be replaced: `windowMs` before they expire, but not
 * before half their lifetime has passed (credentials shorter than the window would otherwise be
 * fetched again on every request), and never within a second of the fetch.
 */
export function refreshTime(fetchedAt: number, expiresAt: number | undefined, windowMs: number): number {
  if (expiresAt === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(expiresAt - windowMs, fetchedAt + (expiresAt - fetchedAt) / 2, fetchedAt + MIN_REUSE_MS);
}

export interface RefreshingOptions {
  /** Names the credentials in debug lines, e.g. `profile dev` or `role arn:…`. */
  label: string;
  windowMs: number;
  now?: () => number;
  retryAfterFailureMs?: number;
  debug?: DebugLogger;
}

interface Current {
  credentials: Credentials;
  expiresAt: number | undefined;
  refreshAt: number;
}

/**
 * Credentials kept in memory for a server: fetched once (concurrent requests share one call, so one
 * MFA prompt at most), reused until the refresh time, then fetched again. When a refresh fails and
 * the credentials held are still valid, they are served a little longer; a failure with nothing valid
 * to serve is remembered for a second, so a burst of requests does not become a burst of STS calls.
 */
export class RefreshingCredentials {
  private current: Current | undefined;
  private inflight: Promise<Credentials> | undefined;
  private failure: { error: unknown; until: number } | undefined;
  private readonly now: () => number;
  private readonly debug: DebugLogger;

  constructor(private readonly provider: CredentialProvider, private readonly options: RefreshingOptions) {
    this.now = options.now ?? Date.now;
    this.debug = options.debug ?? silentLogger;
  }

  get(): Promise<Credentials> {
    const now = this.now();
    const current = this.current;
    if (current && now < current.refreshAt) return Promise.resolve(current.credentials);
    if (this.failure && now < this.failure.until) {
      if (current && this.valid(current, now)) return Promise.resolve(current.credentials);
      return Promise.reject(this.failure.error);
    }
    if (!this.inflight) {
      const fetching = this.fetch();
      this.inflight = fetching;
      const clear = () => {
        if (this.inflight === fetching) this.inflight = undefined;
      };
      fetching.then(clear, clear);
    }
    return this.inflight;
  }

  /** Every secret value held now, so error messages can be scrubbed of them. */
  secrets(): string[] {
    const c = this.current?.credentials;
    return c ? [c.accessKeyId, c.secretAccessKey, c.sessionToken ?? ''].filter((s) => s.length > 0) : [];
  }

  private valid(current: Current, now: number): boolean {
    return current.expiresAt === undefined || now < current.expiresAt;
  }

  private async fetch(): Promise<Credentials> {
    try {
      const credentials = await this.provider();
      const fetchedAt = this.now();
      const expiresAt = credentials.expiration?.getTime();
      const refreshAt = refreshTime(fetchedAt, expiresAt, this.options.windowMs);
      this.current = { credentials, expiresAt, refreshAt };
      this.failure = undefined;
      this.debug(`${this.options.label}: server holds credentials ${formatKeyForDisplay(credentials.accessKeyId)}${expiresAt === undefined ? ', which do not expire' : `, refreshing in ${formatGoDuration(refreshAt - fetchedAt)}`}`);
      return credentials;
    } catch (error) {
      const now = this.now();
      this.failure = { error, until: now + (this.options.retryAfterFailureMs ?? DEFAULT_RETRY_AFTER_FAILURE_MS) };
      const current = this.current;
      if (current && this.valid(current, now)) {
        this.debug(`${this.options.label}: refreshing failed, serving the held credentials until they expire: ${publicMessage(error, this.secrets())}`);
        return current.credentials;
      }
      throw error;
    }
  }
}

/** The ECS container-credentials body: aws-vault's four keys, sorted, and a trailing newline. */
export function ecsCredentialsBody(credentials: Credentials, now: number): string {
  return `${JSON.stringify({
    AccessKeyId: credentials.accessKeyId,
    Expiration: expirationText(credentials, now),
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken ?? '',
  })}\n`;
}

/** The IMDS `security-credentials/<role>` body as aws-vault writes it (sorted keys, trailing newline). */
export function ec2CredentialsBody(credentials: Credentials, now: number): string {
  return `${JSON.stringify({
    AccessKeyId: credentials.accessKeyId,
    Code: 'Success',
    Expiration: expirationText(credentials, now),
    LastUpdated: iso8601(new Date(now)),
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken ?? '',
    Type: 'AWS-HMAC',
  })}\n`;
}

function expirationText(credentials: Credentials, now: number): string {
  return iso8601(credentials.expiration ?? new Date(now + NON_EXPIRING_REPORT_MS));
}

/**
 * The text of an error as a server may show it to a client: one line, at most 500 characters, with
 * every known secret and anything shaped like an access key id, a secret key or a session token
 * masked. Only vault's own errors are worded for users; anything else becomes a generic line.
 */
export function publicMessage(error: unknown, secrets: readonly string[], fallback = 'could not get credentials'): string {
  let text = isVaultError(error) ? error.message : fallback;
  for (const secret of secrets) if (secret.length >= 8) text = text.split(secret).join('****');
  text = text
    .replace(/\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g, (key) => formatKeyForDisplay(key))
    .replace(/[A-Za-z0-9/+=]{40,}/g, '****')
    .replace(/\s*\n\s*/g, ' ');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
