import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  expiredToken,
  incompleteSignature,
  invalidClientTokenId,
  signatureDoesNotMatch,
} from './errors.js';
import type { SigningCredential } from './state.js';

/**
 * AWS Signature Version 4 verification (AWS4-HMAC-SHA256), in the
 * Authorization header or as a presigned query string. The canonical request
 * is rebuilt from what actually arrived — method, raw path and query, the
 * listed signed headers, and the payload hash — so any client that signs
 * correctly passes and any that does not is rejected as AWS would.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS rejects requests whose timestamp is more than 5 minutes from its clock. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;
/** STS accepts a presigned request for 15 minutes after X-Amz-Date, whatever X-Amz-Expires says. */
export const PRESIGNED_VALIDITY_MS = 15 * 60_000;

export interface IncomingSignedRequest {
  readonly method: string;
  /** Request target as received: raw (still percent-encoded) path plus optional `?query`. */
  readonly url: string;
  /** Node's `rawHeaders`: alternating names and values, duplicates kept. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** The signature claims of a request, parsed but not yet verified. */
export interface SigV4Claims {
  readonly presigned: boolean;
  readonly accessKeyId: string;
  /** YYYYMMDD from the credential scope. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** ISO-8601 basic timestamp (20240102T030405Z) the request was signed at. */
  readonly amzDate: string;
  readonly securityToken: string | undefined;
}

export interface VerifyOptions {
  /** Looks up the secret behind an access key id; undefined for unknown or deleted keys. */
  readonly lookup: (accessKeyId: string) => SigningCredential | undefined;
  /** Current time (ms) for the skew check. */
  readonly now: number;
  readonly maxSkewMs?: number;
  /** When set, the credential scope must name this service. */
  readonly expectedService?: string;
}

// ---- parsing ------------------------------------------------------------

function headerValues(rawHeaders: readonly string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(rawHeaders[i + 1] ?? '');
    headers.set(name, list);
  }
  return headers;
}

function splitUrl(url: string): { path: string; query: string } {
  const at = url.indexOf('?');
  return at < 0 ? { path: url, query: '' } : { path: url.slice(0, at), query: url.slice(at + 1) };
}

/** Decoded query pairs, in order, with form semantics ('+' is a space). */
function queryPairs(query: string): [string, string][] {
  return [...new URLSearchParams(query)];
}

/** Converts an HTTP Date header value to the basic ISO form SigV4 uses. */
function toAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function parseAmzDate(amzDate: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? undefined : ms;
}

function parseCredential(credential: string): Pick<SigV4Claims, 'accessKeyId' | 'scopeDate' | 'region' | 'service'> {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    throw incompleteSignature(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId = '', scopeDate = '', region = '', service = '', terminator = ''] = parts;
  if (terminator !== 'aws4_request') {
    throw incompleteSignature(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
  }
  if (!/^\d{8}$/.test(scopeDate)) throw incompleteSignature(`Invalid credential date. Date is not the required format: yyyyMMdd.`);
  return { accessKeyId, scopeDate, region, service };
}

/**
 * Reads the SigV4 claims of a request without verifying them. Returns
 * undefined for an unsigned request (no Authorization header, no
 * X-Amz-Algorithm query parameter). Throws IncompleteSignature (400) for a
 * malformed one, listing every missing part as AWS does.
 */
export function readSigV4(request: IncomingSignedRequest): SigV4Claims | undefined {
  const headers = headerValues(request.rawHeaders);
  const authorization = headers.get('authorization')?.[0];
  const { query } = splitUrl(request.url);
  const queryParams = new Map(queryPairs(query));

  if (authorization !== undefined) {
    const trimmed = authorization.trim();
    const space = trimmed.indexOf(' ');
    const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
    const fields = new Map<string, string>();
    const problems: string[] = [];
    if (algorithm === ALGORITHM) {
      for (const part of trimmed.slice(space + 1).split(',')) {
        const item = part.trim();
        if (!item) continue;
        const eq = item.indexOf('=');
        if (eq < 0) {
          throw incompleteSignature(`'${item}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`);
        }
        fields.set(item.slice(0, eq), item.slice(eq + 1));
      }
    } else if (algorithm.startsWith('AWS4-')) {
      throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'`);
    }
    for (const required of ['Credential', 'Signature', 'SignedHeaders']) {
      if (!fields.has(required)) problems.push(`Authorization header requires '${required}' parameter.`);
    }
    const amzDateHeader = headers.get('x-amz-date')?.[0];
    const dateHeader = headers.get('date')?.[0];
    if (amzDateHeader === undefined && dateHeader === undefined) {
      problems.push(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
    }
    if (problems.length > 0) throw incompleteSignature(`${problems.join(' ')} Authorization=${authorization}`);

    let amzDate = amzDateHeader?.trim();
    if (amzDate === undefined) {
      const ms = Date.parse(dateHeader ?? '');
      if (Number.isNaN(ms)) throw incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${dateHeader}'.`);
      amzDate = toAmzDate(ms);
    }
    const signedHeaders = (fields.get('SignedHeaders') ?? '').split(';').filter(Boolean);
    return {
      presigned: false,
      ...parseCredential(fields.get('Credential') ?? ''),
      signedHeaders,
      signature: fields.get('Signature') ?? '',
      amzDate,
      securityToken: headers.get('x-amz-security-token')?.[0] ?? queryParams.get('X-Amz-Security-Token'),
    };
  }

  const algorithm = queryParams.get('X-Amz-Algorithm');
  if (algorithm === undefined) return undefined;
  if (algorithm !== ALGORITHM) throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'`);
  const problems: string[] = [];
  for (const required of ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date']) {
    if (!queryParams.has(required)) problems.push(`AWS query-string parameters must include '${required}'.`);
  }
  if (problems.length > 0) throw incompleteSignature(`${problems.join(' ')} Re-examine the query-string parameters.`);
  return {
    presigned: true,
    ...parseCredential(queryParams.get('X-Amz-Credential') ?? ''),
    signedHeaders: (queryParams.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean),
    signature: queryParams.get('X-Amz-Signature') ?? '',
    amzDate: queryParams.get('X-Amz-Date') ?? '',
    securityToken: queryParams.get('X-Amz-Security-Token') ?? headers.get('x-amz-security-token')?.[0],
  };
}

// ---- canonical request --------------------------------------------------

/** RFC 3986 encoding as SigV4 specifies: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Canonical URI for services other than S3: the path as sent (already
 * percent-encoded once by the client) has its dot segments resolved and each
 * segment encoded again — SigV4's double encoding.
 */
function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of (rawPath || '/').split('/').slice(1)) {
    if (segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const path = '/' + segments.map(uriEncode).join('/');
  return path;
}

function canonicalQuery(query: string, presigned: boolean): string {
  return queryPairs(query)
    .filter(([key]) => !(presigned && key === 'X-Amz-Signature'))
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function canonicalHeaderValue(values: readonly string[]): string {
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The canonical request and string to sign that a correct signer would have produced. */
export function stringToSign(request: IncomingSignedRequest, claims: SigV4Claims): { canonicalRequest: string; stringToSign: string } {
  const headers = headerValues(request.rawHeaders);
  const { path, query } = splitUrl(request.url);
  const names = [...claims.signedHeaders].map((h) => h.toLowerCase());
  const canonicalHeaders = names.map((name) => `${name}:${canonicalHeaderValue(headers.get(name) ?? [])}\n`).join('');
  // A declared payload hash is what the client signed; verifySigV4 checks it against the body.
  const payloadHash = headers.get('x-amz-content-sha256')?.[0] ?? sha256Hex(request.body);
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query, claims.presigned),
    canonicalHeaders,
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${claims.scopeDate}/${claims.region}/${claims.service}/aws4_request`;
  return {
    canonicalRequest,
    stringToSign: [ALGORITHM, claims.amzDate, scope, sha256Hex(canonicalRequest)].join('\n'),
  };
}

function signingKey(secret: string, claims: SigV4Claims): Buffer {
  const kDate = hmac(`AWS4${secret}`, claims.scopeDate);
  const kRegion = hmac(kDate, claims.region);
  const kService = hmac(kRegion, claims.service);
  return hmac(kService, 'aws4_request');
}

// ---- verification ---------------------------------------------------------

/**
 * Verifies a signed request. Throws AwsError with AWS's code and status:
 * SignatureDoesNotMatch (403) for a stale or future timestamp ("Signature
 * expired: …"), a scope date that does not match, or a wrong signature;
 * InvalidClientTokenId (403) for an unknown or deleted key, or a session key
 * whose token is missing or wrong (also a long-term key sent with a token);
 * ExpiredToken (403) for a session past its expiry; IncompleteSignature (400)
 * when `host` is not signed.
 */
export function verifySigV4(request: IncomingSignedRequest, claims: SigV4Claims, options: VerifyOptions): void {
  const signedAt = parseAmzDate(claims.amzDate);
  if (signedAt === undefined) {
    throw incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${claims.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  if (!claims.signedHeaders.map((h) => h.toLowerCase()).includes('host')) {
    throw incompleteSignature(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
  }

  // Freshness, worded as STS words it (e.g. "Signature expired: 20240101T000000Z
  // is now earlier than 20240101T001000Z (20240101T001500Z - 5 min.)").
  const maxSkew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const maxAge = claims.presigned ? Math.max(maxSkew, PRESIGNED_VALIDITY_MS) : maxSkew;
  const now = options.now;
  if (signedAt < now - maxAge) {
    throw signatureDoesNotMatch(
      `Signature expired: ${claims.amzDate} is now earlier than ${toAmzDate(now - maxAge)} (${toAmzDate(now)} - ${Math.round(maxAge / 60_000)} min.)`,
    );
  }
  if (signedAt > now + maxSkew) {
    throw signatureDoesNotMatch(
      `Signature not yet current: ${claims.amzDate} is still later than ${toAmzDate(now + maxSkew)} (${toAmzDate(now)} + ${Math.round(maxSkew / 60_000)} min.)`,
    );
  }
  if (claims.scopeDate !== claims.amzDate.slice(0, 8)) {
    throw signatureDoesNotMatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${claims.scopeDate}' != '${claims.amzDate.slice(0, 8)}', from '${claims.amzDate}'.`,
    );
  }
  if (options.expectedService !== undefined && claims.service !== options.expectedService) {
    throw signatureDoesNotMatch(`Credential should be scoped to correct service: '${options.expectedService}'. `);
  }

  const credential = options.lookup(claims.accessKeyId);
  if (!credential) throw invalidClientTokenId();
  if (credential.sessionToken === undefined) {
    // A long-term key must not come with a session token.
    if (claims.securityToken !== undefined) throw invalidClientTokenId();
  } else {
    if (claims.securityToken === undefined || !safeEqual(claims.securityToken, credential.sessionToken)) {
      throw invalidClientTokenId();
    }
    if (credential.expired) throw expiredToken();
  }

  const declaredHash = headerValues(request.rawHeaders).get('x-amz-content-sha256')?.[0];
  if (declaredHash !== undefined && /^[0-9a-fA-F]{64}$/.test(declaredHash) && declaredHash.toLowerCase() !== sha256Hex(request.body)) {
    throw signatureDoesNotMatch(`The provided 'x-amz-content-sha256' header does not match what was computed.`);
  }

  const { canonicalRequest, stringToSign: toSign } = stringToSign(request, claims);
  const expected = createHmac('sha256', signingKey(credential.secretAccessKey, claims)).update(toSign, 'utf8').digest('hex');
  if (!safeEqual(expected, claims.signature.toLowerCase())) {
    // Like STS, tell the client what we signed so it can find its mistake,
    // but never echo a session token back into logs.
    const shown = (text: string): string =>
      claims.securityToken ? text.split(uriEncode(claims.securityToken)).join('<redacted>').split(claims.securityToken).join('<redacted>') : text;
    throw signatureDoesNotMatch(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n' +
        `The Canonical String for this request should have been\n'${shown(canonicalRequest)}'\n\n` +
        `The String-to-Sign should have been\n'${toSign}'\n`,
    );
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
