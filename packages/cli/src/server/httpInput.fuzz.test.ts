import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Credentials } from '@awsvault/core';
// The figure docs/security.md reports; core's fuzz directory is not a package export.
import { FUZZ_RUNS } from '@awsvault/core/testing';
import { startEc2Server, type Ec2Server } from './ec2Server.js';
import { startEcsServer, type EcsServer } from './ecsServer.js';

// Random request lines, paths, methods and headers, sent as raw bytes to the ECS and EC2 servers on
// 127.0.0.1. Whatever comes in: an answer below 500 (or the connection closed on bytes that are not
// HTTP), credentials only in a 200 that the request earned, and the server still serving afterwards.

const CREDS: Credentials = {
  accessKeyId: 'ASIAFUZZACCESSKEY001',
  secretAccessKey: 'fuzzSecretAccessKey/0123456789abcdefghij',
  sessionToken: 'FuzzSessionToken//0123456789abcdefghijklmnopqrstuvwxyz+ABCDEFGHIJKLMNOP=',
  expiration: new Date('2030-01-01T00:00:00Z'),
};
const ROLE_CREDS: Credentials = { ...CREDS, accessKeyId: 'ASIAFUZZROLEKEY00001', secretAccessKey: 'roleSecretAccessKey/0123456789abcdefghij' };
const SECRETS = [CREDS.secretAccessKey, CREDS.sessionToken as string, ROLE_CREDS.secretAccessKey];
const LEAKS = [...SECRETS, CREDS.accessKeyId, ROLE_CREDS.accessKeyId];
const ECS_TOKEN = 'fuzzEcsToken0123456789abcdefghijklmnopqr';
const CREDS_PATH = '/latest/meta-data/iam/security-credentials/local-credentials';
const ARN = 'arn:aws:iam::123456789012:role/deploy';
/** A connection the server neither answers nor closes within this is a hang. */
const HANG_MS = 5_000;

interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
}
type Outcome = { responses: Response[] } | { error: string };

/** Sends raw bytes on a fresh connection and reads every response (1xx included) until the server closes. */
function send(port: number, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const responses = parseAll(Buffer.concat(chunks));
      resolve(responses.length > 0 ? { responses } : { error: error ?? 'closed without an answer' });
    };
    socket.setTimeout(HANG_MS, () => finish('timeout'));
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.on('end', () => finish());
  });
}

function parseAll(raw: Buffer): Response[] {
  const out: Response[] = [];
  let rest = raw;
  for (;;) {
    const split = rest.indexOf('\r\n\r\n');
    if (split < 0) return out;
    const [statusLine, ...lines] = rest.subarray(0, split).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
    if (!match) return out;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(match[1]);
    const length = status >= 200 && headers['content-length'] !== undefined ? Number(headers['content-length']) : status < 200 ? 0 : rest.length;
    const body = rest.subarray(split + 4, split + 4 + length);
    out.push({ status, headers, body: body.toString('utf8') });
    rest = rest.subarray(split + 4 + body.length);
    if (rest.length === 0) return out;
  }
}

interface Request {
  method: string;
  target: string;
  version: string;
  headers: Array<[string, string]>;
  /** Bytes sent after the header block (a body, or garbage). */
  tail: string;
}

const render = (r: Request): Buffer =>
  Buffer.from(`${r.method} ${r.target} ${r.version}\r\n${r.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}Connection: close\r\n\r\n${r.tail}`, 'latin1');

/** The value Node hands the handler for a header: the first occurrence, trimmed (duplicates of these are dropped). */
const headerValue = (r: Request, name: string): string | undefined => r.headers.find(([n]) => n.toLowerCase() === name)?.[1].trim();

const PATHS = [
  '/', '/role-arn/', `/role-arn/${ARN}`, `/role-arn/${encodeURIComponent(ARN)}`, '/role-arn/arn:aws:iam::123456789012:role/a/b/c', '/role-arn/arn:aws:iam::1:role/x',
  CREDS_PATH, `${CREDS_PATH}/`, '/latest/meta-data/iam/security-credentials/', '/latest/meta-data/iam/security-credentials', '/latest/api/token', '/latest/api/token/',
  '/latest/meta-data/instance-id/', '/latest/meta-data/iam/info', '/latest/dynamic/instance-identity/document', '/latest/meta-data/', '*',
  'http://169.254.169.254/latest/meta-data/', '//latest', `${CREDS_PATH}/..`, `${CREDS_PATH}%2f..`, `${CREDS_PATH}%00`, '/%2e%2e/', '/%252e', '/\\..\\', '/?x=1', `${CREDS_PATH}?a=%zz`,
];
const pathChar = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...'/abc.-_~%2e5fF?#&=:@!$\'()*+,;') }, { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\\', '\u00e9', '\u0000', '\u007f', '\r\n') });
const target = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PATHS) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...PATHS), fc.string({ unit: pathChar, maxLength: 12 })).map(([p, s]) => `${p}${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: pathChar, maxLength: 40 }).map((s) => `/${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.nat({ max: 6000 }).map((n) => `/role-arn/${'a'.repeat(n)}`) },
);
const METHODS = ['GET', 'GET', 'GET', 'PUT', 'HEAD', 'POST', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PROPFIND', 'get', 'G ET', ''];
const method = fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });
const version = fc.oneof({ weight: 15, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', 'http/1.1', '') });
const headerValueText = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.nat({ max: 20000 }).map((n) => 'x'.repeat(n)) },
);

/** Headers that steer the servers, with good, near-good and random values; plus random ones. */
function headers(port: number, goodImdsToken: () => string) {
  const host = fc.constantFrom(`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, '169.254.169.254', '169.254.169.254:80', `127.0.0.1:${port + 1}`, 'evil.example', `evil.example:${port}`, '', ` 127.0.0.1:${port} `);
  const header = fc.oneof(
    fc.tuple(fc.constantFrom('Host', 'host', 'HOST'), fc.oneof({ weight: 4, arbitrary: host }, { weight: 1, arbitrary: headerValueText })),
    fc.tuple(fc.constantFrom('Authorization', 'authorization'), fc.oneof(fc.constantFrom(ECS_TOKEN, ` ${ECS_TOKEN}`, `${ECS_TOKEN}x`, ECS_TOKEN.slice(1), `Bearer ${ECS_TOKEN}`, ''), headerValueText)),
    fc.tuple(fc.constantFrom('X-aws-ec2-metadata-token', 'x-AWS-ec2-metadata-token'), fc.oneof(fc.constant(null).map(() => goodImdsToken()), fc.constant(null).map(() => `${goodImdsToken()}A`), headerValueText)),
    fc.tuple(fc.constant('X-aws-ec2-metadata-token-ttl-seconds'), fc.oneof(fc.constantFrom('1', '60', '21600', '21601', '0', '-1', '1e3', ' 60', '00060', '99999999999999999999'), headerValueText)),
    fc.tuple(fc.constantFrom('X-Forwarded-For', 'Content-Length', 'Transfer-Encoding', 'Expect', 'Upgrade', 'Connection', 'Cookie'), fc.oneof(fc.constantFrom('1.2.3.4', '5', '0', '-1', 'chunked', 'gzip, chunked', '100-continue', 'websocket', 'keep-alive', 'Upgrade'), headerValueText)),
    fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.string({ unit: fc.constantFrom(...'abcXYZ-_!#$%&*+.^`|~'), minLength: 1, maxLength: 12 }) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }), headerValueText),
  );
  return fc.array(header, { maxLength: 5 });
}

function request(port: number, goodImdsToken: () => string, defaults: Array<[string, string]>): fc.Arbitrary<Request> {
  return fc.record({
    method,
    target,
    version,
    // Usually the headers a real client sends, then random ones; sometimes only random ones.
    headers: fc.tuple(fc.boolean(), headers(port, goodImdsToken)).map(([useDefaults, random]) => (useDefaults ? [...defaults, ...random] : random)),
    tail: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.string({ maxLength: 64 }) }, { weight: 1, arbitrary: fc.constantFrom('0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n') }),
  });
}

interface Tally {
  inputs: number;
  byStatus: Record<string, number>;
}

function record(tally: Tally, outcome: Outcome): void {
  tally.inputs++;
  const key = 'responses' in outcome ? outcome.responses.map((r) => r.status).join('+') : outcome.error;
  tally.byStatus[key] = (tally.byStatus[key] ?? 0) + 1;
}

/** The checks every outcome must pass: no hang, no 5xx, no credential outside a 200. */
function checkOutcome(outcome: Outcome, r: Request): Response[] {
  if ('error' in outcome) {
    assert.notEqual(outcome.error, 'timeout', `the server neither answered nor closed: ${JSON.stringify(r)}`);
    return [];
  }
  for (const response of outcome.responses) {
    assert.ok(response.status < 500, `${response.status} for ${JSON.stringify(r)}: ${response.body}`);
    if (response.status !== 200) for (const leak of LEAKS) assert.ok(!response.body.includes(leak), `credential in a ${response.status}: ${response.body}`);
  }
  return outcome.responses;
}

describe('fuzz: HTTP input of the credential servers', () => {
  let ecs: EcsServer;
  let ec2: Ec2Server;
  let ec2v2: Ec2Server;
  let imdsToken = '';
  before(async () => {
    ecs = await startEcsServer({ credentials: async () => CREDS, roleCredentials: async () => ROLE_CREDS, secrets: () => SECRETS, token: ECS_TOKEN });
    ec2 = await startEc2Server({ credentials: async () => CREDS, region: 'eu-west-1', port: 0, mode: 'direct', secrets: () => SECRETS });
    ec2v2 = await startEc2Server({ credentials: async () => CREDS, region: 'eu-west-1', port: 0, mode: 'direct', v2Only: true, secrets: () => SECRETS });
  });
  after(async () => {
    await Promise.all([ecs.close(), ec2.close(), ec2v2.close()]);
  });

  /** A well-formed request still gets credentials. */
  async function stillServes(port: number, headerLines: Array<[string, string]>, path: string, secret = CREDS.secretAccessKey): Promise<void> {
    const outcome = await send(port, render({ method: 'GET', target: path, version: 'HTTP/1.1', headers: headerLines, tail: '' }));
    assert.ok('responses' in outcome && outcome.responses[0]?.status === 200 && outcome.responses[0].body.includes(secret), JSON.stringify(outcome));
  }

  it(`ECS server: ${FUZZ_RUNS} random requests, credentials only with the token, never a 5xx, still serving`, async () => {
    const port = ecs.port;
    const good: Array<[string, string]> = [['Host', `127.0.0.1:${port}`], ['Authorization', ECS_TOKEN]];
    const tally: Tally = { inputs: 0, byStatus: {} };
    await fc.assert(
      fc.asyncProperty(request(port, () => 'none', good), async (r) => {
        const outcome = await send(port, render(r));
        record(tally, outcome);
        for (const response of checkOutcome(outcome, r)) {
          if (response.status !== 200) continue;
          assert.equal(headerValue(r, 'authorization'), ECS_TOKEN, `200 without the token: ${JSON.stringify(r)}`);
          assert.ok([`127.0.0.1:${port}`, `localhost:${port}`].includes((headerValue(r, 'host') ?? '').toLowerCase()), `200 for another Host: ${JSON.stringify(r)}`);
        }
        if (tally.inputs % 100 === 0) await stillServes(port, good, '/');
      }),
      { numRuns: FUZZ_RUNS },
    );
    await stillServes(port, good, '/');
    await stillServes(port, good, `/role-arn/${ARN}`, ROLE_CREDS.secretAccessKey);
    console.log(`figure fuzz ecs-server-http inputs=${tally.inputs} crashes=0 statuses=${JSON.stringify(tally.byStatus)}`);
  });

  for (const v2Only of [false, true]) {
    it(`EC2 metadata server${v2Only ? ' (IMDSv2 only)' : ''}: ${FUZZ_RUNS} random requests, credentials only on their route, never a 5xx, still serving`, async () => {
      const server = v2Only ? ec2v2 : ec2;
      const port = server.port;
      const tokenOutcome = await send(port, render({ method: 'PUT', target: '/latest/api/token', version: 'HTTP/1.1', headers: [['Host', `127.0.0.1:${port}`], ['X-aws-ec2-metadata-token-ttl-seconds', '21600']], tail: '' }));
      assert.ok('responses' in tokenOutcome && tokenOutcome.responses[0]?.status === 200);
      imdsToken = tokenOutcome.responses[0].body;
      const good: Array<[string, string]> = [['Host', `127.0.0.1:${port}`], ['X-aws-ec2-metadata-token', imdsToken]];
      const tally: Tally = { inputs: 0, byStatus: {} };
      await fc.assert(
        fc.asyncProperty(request(port, () => imdsToken, good), async (r) => {
          const outcome = await send(port, render(r));
          record(tally, outcome);
          for (const response of checkOutcome(outcome, r)) {
            if (response.status !== 200 || !LEAKS.some((leak) => response.body.includes(leak))) continue;
            const path = r.target.split('?', 1)[0];
            assert.equal(path, CREDS_PATH, `credentials on another route: ${JSON.stringify(r)}`);
            if (v2Only) assert.equal(headerValue(r, 'x-aws-ec2-metadata-token'), imdsToken, `credentials without a token: ${JSON.stringify(r)}`);
          }
          if (tally.inputs % 100 === 0) await stillServes(port, good, CREDS_PATH);
        }),
        { numRuns: FUZZ_RUNS },
      );
      await stillServes(port, good, CREDS_PATH);
      console.log(`figure fuzz ec2-server-http${v2Only ? '-v2only' : ''} inputs=${tally.inputs} crashes=0 statuses=${JSON.stringify(tally.byStatus)}`);
    });
  }
});
