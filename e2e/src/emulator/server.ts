import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError, invalidAction, invalidClientTokenId, missingAuthenticationToken } from './errors.js';
import { FederationEndpoint, isFederationRequest } from './federation.js';
import { iam } from './iam.js';
import { callerArn } from './identity.js';
import { newRequestId } from './ids.js';
import { decodeCall, encodeError, encodeResult, type DecodedCall, type EncodedResponse } from './protocol.js';
import type { Params } from './query.js';
import type { Service } from './service.js';
import { readSigV4, verifySigV4, type IncomingSignedRequest, type SigV4Claims } from './sigv4.js';
import { EmulatorState, type EmulatorStateOptions } from './state.js';
import { sts } from './sts.js';
import { IdentityCenter, isSsoRequest } from './sso.js';

/**
 * The emulator's HTTP front door: one loopback server for every emulated
 * service. A request is routed by the service named in its SigV4 credential
 * scope (`…/us-east-1/sts/aws4_request`), else by its JSON target, else by
 * which service has the action; then authenticated against the secrets the
 * state issued, then handed to the action.
 */

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Use this state (e.g. one seeded beforehand) instead of a fresh one. */
  state?: EmulatorState;
  /** Options for the fresh state when `state` is not given. */
  stateOptions?: EmulatorStateOptions;
  /** Allowed clock skew for signatures, ms; default 5 minutes as AWS. */
  maxSkewMs?: number;
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:41234 — pass as the endpoint of any client. */
  url: string;
  state: EmulatorState;
  /** The console federation endpoint (`/federation`, `/oauth`) on the same server, and its records. */
  federation: FederationEndpoint;
  /** IAM Identity Center (SSO-OIDC, the access portal and their test endpoints) on the same server. */
  sso: IdentityCenter;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const SERVICES: readonly Service[] = [sts, iam];
const MAX_BODY_BYTES = 1024 * 1024;
/** Parameters whose values are never written to the request log. */
const SECRET_PARAM = /TokenCode|Secret|Password|SessionToken|WebIdentityToken|SAMLAssertion/i;

function serviceFor(claims: SigV4Claims | undefined, call: DecodedCall | undefined): Service {
  const byScope = SERVICES.find((s) => s.spec.name === claims?.service);
  if (byScope) return byScope;
  if (call?.targetPrefix !== undefined) {
    const byTarget = SERVICES.find((s) => s.spec.jsonTargetPrefix === call.targetPrefix);
    if (byTarget) return byTarget;
  }
  const action = call?.action;
  return (
    SERVICES.find((s) => action !== undefined && (Object.hasOwn(s.actions, action) || Object.hasOwn(s.anonymousActions ?? {}, action))) ?? sts
  );
}

function redact(params: Params): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(params)) out[key] = SECRET_PARAM.test(key) ? '<redacted>' : value;
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsError(413, 'RequestEntityTooLarge', 'Request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  // Keep emulator bugs visible to the test author without leaking request contents.
  console.error('[aws-emulator] internal error:', error instanceof Error ? error.stack : error);
  return new AwsError(500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.');
}

/** Handles one request end to end; never throws. */
async function handle(state: EmulatorState, options: EmulatorOptions, req: IncomingMessage): Promise<EncodedResponse> {
  const requestId = newRequestId();
  let call: DecodedCall | undefined;
  let claims: SigV4Claims | undefined;
  let service: Service = sts;
  let callerArnValue: string | undefined;
  try {
    const body = await readBody(req);
    const request: IncomingSignedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', rawHeaders: req.rawHeaders, body };
    call = decodeCall(request.method, request.url, req.headers, body);
    let claimsError: unknown;
    try {
      claims = readSigV4(request);
    } catch (error) {
      claimsError = error;
    }
    service = serviceFor(claims, call);
    const action = call.action;
    if (action !== undefined) state.countCall(service.spec.name, action);

    if (claimsError !== undefined) throw claimsError;
    if (action === undefined || action === '') throw new AwsError(400, 'MissingAction', 'Missing Action');
    const handler = Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
    const anonymous = service.anonymousActions && Object.hasOwn(service.anonymousActions, action) ? service.anonymousActions[action] : undefined;
    if (!handler && !anonymous) throw invalidAction(action, call.version ?? service.spec.version);
    if (call.version !== undefined && call.version !== service.spec.version) throw invalidAction(action, call.version);
    if (anonymous) {
      // Authenticated by its parameters (a token): no signature is needed, and one sent is not checked.
      const fault = state.takeFault(service.spec.name, action);
      if (fault) throw new AwsError(fault.status, fault.code, fault.message);
      const response = encodeResult(call, service.spec, action, anonymous({ state, params: call.params }), requestId);
      log(state, requestId, service, call, claims, undefined, response.status);
      return response;
    }
    if (!handler) throw invalidAction(action, call.version ?? service.spec.version);
    if (!claims) throw missingAuthenticationToken();

    verifySigV4(request, claims, {
      lookup: (id) => state.signingCredential(id),
      now: state.signingNow(),
      expectedService: service.spec.name,
      ...(options.maxSkewMs === undefined ? {} : { maxSkewMs: options.maxSkewMs }),
    });
    const caller = state.caller(claims.accessKeyId);
    if (!caller) throw invalidClientTokenId();
    callerArnValue = callerArn(caller);
    service.admit?.(caller);

    const fault = state.takeFault(service.spec.name, action);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
    if (fault?.rawBody !== undefined) {
      log(state, requestId, service, call, claims, callerArnValue, fault.status, fault.code);
      return { status: fault.status, headers: { 'content-type': 'text/xml' }, body: fault.rawBody };
    }
    // A fault with a status under 400 is a pure delay: the call is then answered normally.
    if (fault && fault.status >= 400) throw new AwsError(fault.status, fault.code, fault.message);

    const result = handler({ state, caller, params: call.params });
    const response = encodeResult(call, service.spec, action, result, requestId);
    log(state, requestId, service, call, claims, callerArnValue, response.status);
    return response;
  } catch (error) {
    const awsError = toAwsError(error);
    const response = encodeError(call ?? { protocol: 'query' }, service.spec, awsError, requestId);
    log(state, requestId, service, call, claims, callerArnValue, response.status, awsError.code);
    return response;
  }
}

function log(
  state: EmulatorState,
  requestId: string,
  service: Service,
  call: DecodedCall | undefined,
  claims: SigV4Claims | undefined,
  callerArnValue: string | undefined,
  status: number,
  errorCode?: string,
): void {
  state.record({
    at: state.now(),
    requestId,
    service: service.spec.name,
    action: call?.action ?? '',
    ...(claims ? { accessKeyId: claims.accessKeyId } : {}),
    ...(callerArnValue === undefined ? {} : { callerArn: callerArnValue }),
    params: redact(call?.params ?? {}),
    status,
    ...(errorCode === undefined ? {} : { errorCode }),
  });
}

function send(res: ServerResponse, response: EncodedResponse, now: number = Date.now()): void {
  const body = Buffer.from(response.body, 'utf8');
  // The Date header follows the emulator's signing clock, as AWS's follows its own: SDKs correct skew from it.
  res.writeHead(response.status, { date: new Date(now).toUTCString(), ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}

/**
 * Starts the emulator on loopback (127.0.0.1, a free port by default).
 * Seed identities through `emulator.state` and point clients at `emulator.url`.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = options.state ?? new EmulatorState(options.stateOptions);
  const host = options.host ?? '127.0.0.1';
  const federation = new FederationEndpoint(state);
  const sso = new IdentityCenter(state);
  const server = createServer((req, res) => {
    if (isSsoRequest(req.url ?? '/')) {
      readBody(req).then(
        (body) => send(res, sso.handle(req.method ?? 'GET', req.url ?? '/', req.headers, body.toString('utf8'))),
        () => res.destroy(),
      );
      return;
    }
    if (isFederationRequest(req.url ?? '/')) {
      readBody(req).then(
        (body) => send(res, federation.handle(req.method ?? 'GET', req.url ?? '/', body.toString('utf8'))),
        () => res.destroy(),
      );
      return;
    }
    handle(state, options, req).then(
      (response) => send(res, response, state.signingNow()),
      () => res.destroy(),
    );
  });
  // Idle keep-alive connections live about a minute, as at AWS's endpoints: clients that pause
  // between calls (SSO polling with slow_down) reuse them without racing a server-side close.
  // close() drops them (closeAllConnections), so they never hold a test open.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    state,
    federation,
    sso,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
