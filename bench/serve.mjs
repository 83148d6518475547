#!/usr/bin/env node
// Latency of a cached credential fetch through `vault serve`, against starting a process per fetch.
//
//   npm run build && node bench/serve.mjs [--requests 2000]
//
// Starts the local emulator, stores keys for profile `dev` under a throw-away HOME (file backend) and
// runs the built CLI as users do: `vault serve` in the background. After one warm-up request (the only
// STS call), it times N sequential GETs of /profile/dev with a keep-alive client, so each one is a
// request answered from the daemon's memory. For comparison it times 20 runs each of a cached
// `vault export --format=json dev` (the credential_process way: one process per fetch) and of
// `node -e 0` (the floor of any process that is Node). Writes bench/SERVE-RESULTS.md with the medians
// and p99s, the machine's cores, Node's version and the date. Goal: a median fetch of at most 2 ms.
// Not part of `npm test`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vaultBin = join(root, 'packages/cli/bin/run.js');
const args = process.argv.slice(2);
const at = args.indexOf('--requests');
const requests = Math.min(Math.max(at >= 0 ? Number(args[at + 1]) : 2000, 10), 100_000);
const PROCESS_RUNS = 20;

const { startEmulator } = await import(join(root, 'e2e/dist/emulator/server.js'));
const { tempHome } = await import(join(root, 'e2e/dist/helpers/tempHome.js'));
const emulator = await startEmulator();
const home = tempHome();
let daemon;
try {
  const user = emulator.state.createUser('bench');
  home.writeConfig(`[profile dev]\nregion = us-east-1\nendpoint_url = ${emulator.url}\n`);
  const runDir = join(home.dir, 'run');
  mkdirSync(runDir, { mode: 0o700 });
  const env = { ...home.env, XDG_RUNTIME_DIR: runDir };
  const added = spawnSync(process.execPath, [vaultBin, 'add', '--env', 'dev'], { env: { ...env, AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey } });
  if (added.status !== 0) throw new Error(`vault add failed: ${added.stderr}`);

  daemon = spawn(process.execPath, [vaultBin, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const statePath = join(runDir, 'vault', 'serve.json');
  await waitFor(() => existsSync(statePath), 15_000);
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  const url = new URL(`${state.url}/profile/dev`);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise((resolve, reject) => {
      request(url, { agent, headers: { Authorization: state.token } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      }).on('error', reject).end();
    });
  await get();
  const fetchMs = [];
  for (let i = 0; i < requests; i++) {
    const start = process.hrtime.bigint();
    await get();
    fetchMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  agent.destroy();

  // The export is cached after its first run (the session cache), as a credential_process is in use.
  spawnSync(process.execPath, [vaultBin, 'export', '--format=json', 'dev'], { env });
  const exportMs = timeRuns(process.execPath, [vaultBin, 'export', '--format=json', 'dev'], env);
  const nodeMs = timeRuns(process.execPath, ['-e', '0'], env);

  const row = (label, ms) => `| ${label} | ${ms.length} | ${quantile(ms, 0.5).toFixed(2)} | ${quantile(ms, 0.99).toFixed(2)} |`;
  const cpu = cpus();
  const report = [
    '# `vault serve` benchmark',
    '',
    'Written by `node bench/serve.mjs` (after `npm run build`). A cached credential fetch through the daemon',
    '(GET /profile/dev, keep-alive, one request at a time, answered from memory) against one process per fetch.',
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| what | runs | median ms | p99 ms |',
    '| --- | ---: | ---: | ---: |',
    row('`vault serve`: GET /profile/dev (cached)', fetchMs),
    row('`vault export --format=json dev` (cached session, fast path)', exportMs),
    row('`node -e 0`', nodeMs),
    '',
    `Goal: a median fetch of at most 2 ms: ${quantile(fetchMs, 0.5) <= 2 ? 'met' : 'not met'}.`,
    `STS calls during the run: ${JSON.stringify(emulator.state.calls())}.`,
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench', 'SERVE-RESULTS.md'), report);
  process.stdout.write(report);
} finally {
  if (daemon && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('close', resolve));
  }
  await emulator.close();
  home.cleanup();
}

function timeRuns(command, argv, env) {
  const ms = [];
  for (let i = 0; i < PROCESS_RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(command, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  }
  return ms;
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function waitFor(check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('vault serve did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
