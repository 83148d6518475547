/**
 * Run as a child of `vault exec --ecs-server` or `--ec2-server --ec2-server-port N`:
 * `node attackServer.js ecs|ec2 <out.json>`. Finds its server in the environment, takes the real
 * credentials once (to know what must never leak), then sends hostile requests — missing, wrong and
 * odd-length tokens, foreign Host headers, path traversal, a 1 MB header, 1,000 concurrent
 * connections, 1,000 idle connections — and writes what came back, and which answers (if any)
 * contained a secret, to out.json. Everything is bounded: per-request timeouts, and it exits by itself.
 */
import { connect, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { outcomeLabel, rawRequest, type RawOutcome } from './rawHttp.js';

const [mode, out] = process.argv.slice(2);
if ((mode !== 'ecs' && mode !== 'ec2') || !out) {
  process.stderr.write('usage: attackServer.js ecs|ec2 <out.json>\n');
  process.exit(2);
}

const env = process.env;
const base = (mode === 'ecs' ? env['AWS_CONTAINER_CREDENTIALS_FULL_URI'] : env['AWS_EC2_METADATA_SERVICE_ENDPOINT']) ?? '';
const token = env['AWS_CONTAINER_AUTHORIZATION_TOKEN'] ?? '';
const { host: goodHost, port } = new URL(base);
const ARN = 'arn:aws:iam::123456789012:role/deploy';
const CREDS_PATH = '/latest/meta-data/iam/security-credentials/local-credentials';

const results: Record<string, string> = {};
const bodies: Array<[string, string]> = [];
const record = (name: string, outcome: RawOutcome) => {
  results[name] = outcomeLabel(outcome);
  if ('body' in outcome) bodies.push([name, outcome.body]);
};
const ask = (path: string, headers: Array<[string, string]>, method = 'GET') => rawRequest(base, { method, path, headers });

/** A request the real client would make. */
async function legit(): Promise<RawOutcome> {
  return mode === 'ecs' ? ask('/', [['Host', goodHost], ['Authorization', token]]) : ask(CREDS_PATH, [['Host', goodHost]]);
}

async function main(): Promise<void> {
  const first = await legit();
  if (!('status' in first) || first.status !== 200) throw new Error(`the real request failed: ${JSON.stringify(first)}`);
  const creds = JSON.parse(first.body) as { AccessKeyId: string; SecretAccessKey: string; Token: string };
  const secrets = [creds.AccessKeyId, creds.SecretAccessKey, creds.Token, ...(token ? [token] : [])];

  if (mode === 'ecs') {
    const otherLength = `${token}${token}`.slice(0, 57);
    const sameLength = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    record('no token', await ask('/', [['Host', goodHost]]));
    record('wrong token', await ask('/', [['Host', goodHost], ['Authorization', sameLength]]));
    record('token of another length', await ask('/', [['Host', goodHost], ['Authorization', otherLength]]));
    record('Bearer token', await ask('/', [['Host', goodHost], ['Authorization', `Bearer ${token}`]]));
    record('wrong Host', await ask('/', [['Host', `evil.example:${port}`], ['Authorization', token]]));
    record('Host without port', await ask('/', [['Host', 'localhost'], ['Authorization', token]]));
    for (const path of ['/role-arn/../', '/role-arn/%2e%2e', '/role-arn/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/role-arn/not-an-arn', `/role-arn/${ARN}/../../x`, '/role-arn/%252e%252e']) {
      record(`traversal ${path}`, await ask(path, [['Host', goodHost], ['Authorization', token]]));
    }
  } else {
    record('wrong Host', await ask(CREDS_PATH, [['Host', `evil.example:${port}`]]));
    record('token TTL 0', await ask('/latest/api/token', [['Host', goodHost], ['X-aws-ec2-metadata-token-ttl-seconds', '0']], 'PUT'));
    record('token TTL 21601', await ask('/latest/api/token', [['Host', goodHost], ['X-aws-ec2-metadata-token-ttl-seconds', '21601']], 'PUT'));
    record('token without TTL', await ask('/latest/api/token', [['Host', goodHost]], 'PUT'));
    record('token with X-Forwarded-For', await ask('/latest/api/token', [['Host', goodHost], ['X-aws-ec2-metadata-token-ttl-seconds', '60'], ['X-Forwarded-For', '10.1.2.3']], 'PUT'));
    record('forged token', await ask(CREDS_PATH, [['Host', goodHost], ['X-aws-ec2-metadata-token', 'A'.repeat(75)]]));
    record(`traversal ${CREDS_PATH}/../../../x`, await ask(`${CREDS_PATH}/../../../x`, [['Host', goodHost]]));
  }
  const bigHeaders: Array<[string, string]> = [['Host', goodHost], ['X-Big', 'a'.repeat(1024 * 1024)]];
  if (token) bigHeaders.push(['Authorization', token]);
  record('1 MB header', await ask(mode === 'ecs' ? '/' : CREDS_PATH, bigHeaders));

  // 1,000 concurrent requests a stranger could make (no token / foreign Host).
  const strangers = await Promise.all(Array.from({ length: 1000 }, () => (mode === 'ecs'
    ? ask('/', [['Host', goodHost], ['Authorization', 'nope']])
    : ask(CREDS_PATH, [['Host', 'evil.example']]))));
  const flood: Record<string, number> = {};
  for (const outcome of strangers) {
    const label = outcomeLabel(outcome);
    flood[label] = (flood[label] ?? 0) + 1;
    if ('body' in outcome) bodies.push(['flood', outcome.body]);
  }

  // 1,000 connections that never send a request, held while the real client asks.
  const idle: Socket[] = [];
  await Promise.all(Array.from({ length: 1000 }, () => new Promise<void>((resolve) => {
    const socket = connect({ host: new URL(base).hostname, port: Number(port) });
    idle.push(socket);
    socket.on('connect', () => resolve());
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.resume();
  })));
  const duringIdle = await legit();
  for (const socket of idle) socket.destroy();

  const afterwards = await legit();
  const leaks = bodies.filter(([, body]) => secrets.some((secret) => body.includes(secret))).map(([name]) => name);
  writeFileSync(out as string, JSON.stringify({ results, flood, duringIdle: outcomeLabel(duringIdle), afterwards: outcomeLabel(afterwards), leaks }, null, 2));
}

main().then(() => process.exit(0), (error: Error) => {
  process.stderr.write(`attackServer: ${error.message}\n`);
  process.exit(1);
});
