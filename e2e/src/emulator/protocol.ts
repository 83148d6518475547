import { AwsError } from './errors.js';
import { flattenJson, parseQueryString, type Params } from './query.js';
import { element, renderValue, type ResultObject, type ResultValue } from './xml.js';

/**
 * Wire protocols. STS and IAM speak awsQuery: form-encoded POST (or GET with
 * a query string) in, XML out — that is what the AWS CLI and
 * @aws-sdk/client-sts / client-iam 3.1169.0 send. awsJson (1.0/1.1 with
 * X-Amz-Target) is also understood, answered in JSON with the
 * `x-amzn-query-error` header that query-compatible JSON services add, so a
 * client that moves to JSON keeps working.
 */

export interface ServiceSpec {
  /** Signing name and counter prefix: `sts`, `iam`. */
  readonly name: string;
  /** API version sent as `Version=`. */
  readonly version: string;
  readonly xmlns: string;
  /** X-Amz-Target prefix for awsJson, e.g. AWSSecurityTokenServiceV20110615. */
  readonly jsonTargetPrefix: string;
}

export type WireProtocol = 'query' | 'json';

export interface DecodedCall {
  readonly protocol: WireProtocol;
  readonly action: string | undefined;
  readonly version: string | undefined;
  /** Operation parameters, query-flattened; no Action, Version or X-Amz-* signing parameters. */
  readonly params: Params;
  /** For JSON calls: the X-Amz-Target prefix, which names the service. */
  readonly targetPrefix?: string;
  readonly jsonVersion?: string;
}

export interface EncodedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const SIGNING_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the operation name and parameters from a request, whichever protocol it uses. */
export function decodeCall(
  method: string,
  url: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): DecodedCall {
  const contentType = (firstHeader(headers['content-type']) ?? '').toLowerCase();
  const jsonMatch = /^application\/x-amz-json-(1\.[01])/.exec(contentType);
  if (jsonMatch) {
    const target = firstHeader(headers['x-amz-target']) ?? '';
    const dot = target.lastIndexOf('.');
    let parsed: unknown = {};
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new AwsError(400, 'SerializationException', 'Start of structure or map found where not expected.');
      }
    }
    return {
      protocol: 'json',
      action: dot < 0 ? undefined : target.slice(dot + 1),
      version: undefined,
      params: flattenJson(parsed),
      targetPrefix: dot < 0 ? target : target.slice(0, dot),
      jsonVersion: jsonMatch[1],
    };
  }

  const queryAt = url.indexOf('?');
  const params: Params = queryAt < 0 ? {} : parseQueryString(url.slice(queryAt + 1));
  // awsQuery puts parameters in a form body on POST; a GET carries them in the URL.
  if (method.toUpperCase() === 'POST' && (contentType === '' || contentType.startsWith('application/x-www-form-urlencoded'))) {
    Object.assign(params, parseQueryString(body.toString('utf8')));
  }
  const { Action: action, Version: version, ...rest } = params;
  for (const key of Object.keys(rest)) if (SIGNING_PARAMS.has(key)) delete rest[key];
  return { protocol: 'query', action, version, params: rest };
}

/** JSON form of a result: timestamps as epoch seconds, as awsJson sends them. */
function toJson(value: ResultValue): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) if (child !== undefined) out[key] = toJson(child);
    return out;
  }
  return value;
}

/**
 * A successful response. awsQuery: `<XResponse xmlns=…><XResult>…</XResult>
 * <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></XResponse>`;
 * actions without output (e.g. DeleteAccessKey) have no XResult element.
 */
export function encodeResult(
  call: Pick<DecodedCall, 'protocol' | 'jsonVersion'>,
  spec: ServiceSpec,
  action: string,
  result: ResultObject | undefined,
  requestId: string,
): EncodedResponse {
  if (call.protocol === 'json') {
    return {
      status: 200,
      headers: { 'content-type': `application/x-amz-json-${call.jsonVersion ?? '1.0'}`, 'x-amzn-requestid': requestId },
      body: JSON.stringify(result === undefined ? {} : toJson(result)),
    };
  }
  const resultXml = result === undefined ? '' : element(`${action}Result`, renderValue(result));
  const metadata = element('ResponseMetadata', element('RequestId', requestId));
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: element(`${action}Response`, resultXml + metadata, { xmlns: spec.xmlns }) + '\n',
  };
}

/**
 * An error response: awsQuery `<ErrorResponse><Error><Type/><Code/><Message/>
 * </Error><RequestId/></ErrorResponse>`, or for JSON `{"__type", "message"}`
 * plus `x-amzn-query-error: Code;Type`.
 */
export function encodeError(
  call: Pick<DecodedCall, 'protocol' | 'jsonVersion'>,
  spec: ServiceSpec,
  error: AwsError,
  requestId: string,
): EncodedResponse {
  if (call.protocol === 'json') {
    return {
      status: error.status,
      headers: {
        'content-type': `application/x-amz-json-${call.jsonVersion ?? '1.0'}`,
        'x-amzn-requestid': requestId,
        'x-amzn-query-error': `${error.code};${error.type}`,
      },
      body: JSON.stringify({ __type: error.code, message: error.message }),
    };
  }
  const inner = element(
    'Error',
    renderValue({ Type: error.type, Code: error.code, Message: error.message }),
  );
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: element('ErrorResponse', inner + element('RequestId', requestId), { xmlns: spec.xmlns }) + '\n',
  };
}
