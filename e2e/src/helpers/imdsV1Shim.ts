/**
 * Makes an SDK talk IMDSv1 to vault's EC2 server, as it would to an old or v1-only metadata service:
 * `node imdsV1Shim.js <out.json> -- command args…` starts a loopback relay that answers the IMDSv2
 * token request with 404 (so the SDK falls back to v1) and passes every other request to the server
 * named by AWS_EC2_METADATA_SERVICE_ENDPOINT with its own Host; runs the command pointed at the relay,
 * and writes how many relayed requests carried a token to out.json. Exits with the command's code.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const args = process.argv.slice(2);
const out = args[0];
const dash = args.indexOf('--');
const [command, ...commandArgs] = args.slice(dash + 1);
const upstream = new URL(process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] ?? '');
if (!out || dash < 0 || !command || !upstream.port) {
  process.stderr.write('usage: imdsV1Shim.js <out.json> -- command args… (with AWS_EC2_METADATA_SERVICE_ENDPOINT set)\n');
  process.exit(2);
}

const seen = { tokenRequests: 0, relayed: 0, relayedWithToken: 0 };
const relay = createServer((req, res) => {
  if (req.url === '/latest/api/token') {
    seen.tokenRequests++;
    res.writeHead(404).end();
    return;
  }
  seen.relayed++;
  if (req.headers['x-aws-ec2-metadata-token'] !== undefined) seen.relayedWithToken++;
  const headers = { ...req.headers, host: upstream.host };
  const forwarded = request({ host: upstream.hostname, port: Number(upstream.port), method: req.method, path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  forwarded.on('error', () => res.writeHead(502).end());
  forwarded.end();
});
relay.listen(0, '127.0.0.1', () => {
  const { port } = relay.address() as AddressInfo;
  const child = spawn(command, commandArgs, { stdio: 'inherit', env: { ...process.env, AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}` } });
  child.on('exit', (code) => {
    writeFileSync(out, JSON.stringify(seen));
    relay.close();
    process.exit(code ?? 1);
  });
});
