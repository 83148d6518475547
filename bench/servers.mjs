#!/usr/bin/env node
// Load test of `vault exec --ecs-server` on loopback: how many cached credential fetches per second
// the ECS credential server answers, and their latency.
//
//   npm run build && node bench/servers.mjs [--connections 10] [--duration 5]
//
// It starts the local emulator, stores keys for profile `dev` under a throw-away HOME (file backend),
// and runs the built CLI as users do: `vault exec --ecs-server dev -- node bench/servers.mjs --client`.
// The child (a separate process, so client and server do not share a CPU thread) points autocannon
// at AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN, first for `/` (the
// profile's credentials) and then for `/role-arn/<arn>` (a role's), each after one warm-up request,
// so every measured request is answered from the server's in-memory credentials (no STS call).
// Prints req/s (mean) and latency p50/p99 per route, plus non-2xx answers and errors, which must be 0.
// Bounded: at most 200 connections and 30 s per route; the emulator and the server stop with it.
// Goal: >= 5,000 req/s and p99 < 5 ms on one loopback. Not part of `npm test`.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback, max) => {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 1) throw new Error(`--${name} must be a positive number`);
  return Math.min(value, max);
};
const connections = option('connections', 10, 200);
const duration = option('duration', 5, 30);

if (args.includes('--client')) {
  await client(args[args.indexOf('--client') + 1], args[args.indexOf('--client') + 2]);
} else {
  await main();
}

/** Parent: emulator, HOME, stored keys, then the CLI with this file as its child. */
async function main() {
  const { startEmulator } = await import(join(root, 'e2e/dist/emulator/server.js'));
  const { tempHome } = await import(join(root, 'e2e/dist/helpers/tempHome.js'));
  const emulator = await startEmulator();
  const home = tempHome();
  try {
    const user = emulator.state.createUser('bench');
    const role = emulator.state.createRole({ name: 'bench-role', trustedPrincipals: [user.arn] });
    home.writeConfig(`[profile dev]\nregion = us-east-1\nendpoint_url = ${emulator.url}\n`);
    await vault(['add', '--env', 'dev'], { ...home.env, AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey }, 'ignore');
    const out = join(home.dir, 'bench.json');
    const self = fileURLToPath(import.meta.url);
    await vault(['exec', '--ecs-server', 'dev', '--', process.execPath, self, '--client', out, role.arn, '--connections', String(connections), '--duration', String(duration)], home.env);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    console.log(`vault exec --ecs-server: ${connections} connections, ${duration} s per route, Node ${process.version}`);
    console.log('| route | req/s (mean) | p50 ms | p99 ms | max ms | requests | non-2xx | errors |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) console.log(`| ${r.route} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.total} | ${r.non2xx} | ${r.errors} |`);
    console.log(`STS calls during the run: ${JSON.stringify(emulator.state.calls())}`);
  } finally {
    await emulator.close();
    home.cleanup();
  }
}

function vault(vaultArgs, env, stdout = 'inherit') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'packages/cli/bin/run.js'), ...vaultArgs], { env, stdio: ['ignore', stdout, 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`vault ${vaultArgs[0]} exited ${code}: ${err}`))));
  });
}

/** Child of `vault exec --ecs-server`: autocannon against its server, results to a file. */
async function client(out, roleArn) {
  const { default: autocannon } = await import('autocannon');
  const base = process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  const headers = { authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN };
  const results = [];
  for (const route of ['/', `/role-arn/${roleArn}`]) {
    const warm = await fetch(base + route, { headers });
    if (warm.status !== 200) throw new Error(`warm-up of ${route} answered ${warm.status}: ${await warm.text()}`);
    const r = await autocannon({ url: base + route, connections, duration, headers });
    results.push({
      route: route === '/' ? '/ (profile)' : '/role-arn/<arn>',
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      total: r.requests.total,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
    });
  }
  writeFileSync(out, JSON.stringify(results));
}
