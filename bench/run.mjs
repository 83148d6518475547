#!/usr/bin/env node
// `npm run bench`: process timings with hyperfine, each reported as min/median and as a ratio to
// `node -e 0` measured in the same run, written to bench/RESULTS.md. Not part of `npm test`:
// benchmarks report, CI does not gate on noise. Needs `npm run build` and Debian's hyperfine.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vault = join(root, 'packages/cli/bin/run.js');
const runs = Number(process.env.BENCH_RUNS ?? 20);
const { startEmulator } = await import(join(root, 'e2e/dist/emulator/server.js'));
const { tempHome } = await import(join(root, 'e2e/dist/helpers/tempHome.js'));
const core = await import(join(root, 'packages/core/dist/index.js'));
const { openFileBackend } = await import(join(root, 'plugins/backend-file/dist/index.js'));

const exec = (args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vault, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`vault ${args.join(' ')}: ${err}`))));
  });

/** Runs hyperfine asynchronously (the emulator lives in this process) and returns its JSON results. */
function hyperfine(commands, env) {
  const work = mkdtempSync(join(tmpdir(), 'vault-bench-'));
  const jsonFile = join(work, 'out.json');
  const args = ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', jsonFile, '--style', 'basic', ...commands.map((c) => ['-n', c.name, c.cmd]).flat()];
  return new Promise((resolve, reject) => {
    const child = spawn('hyperfine', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`hyperfine exited ${code}`));
      const results = JSON.parse(readFileSync(jsonFile, 'utf8')).results;
      rmSync(work, { recursive: true, force: true });
      resolve(results);
    });
  });
}

try {
  execFileSync('hyperfine', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('bench needs hyperfine: apt-get install -y hyperfine');
  process.exit(1);
}

const emulator = await startEmulator();
const home = tempHome();
const user = emulator.state.createUser('bench');
const role = emulator.state.createRole({ name: 'bench-role', trustedPrincipals: [user.arn] }).arn;
const cp = `${process.execPath} ${vault} export --format=json p`;
let config = `[profile p]\nregion = us-east-1\nendpoint_url = ${emulator.url}\n\n[profile role]\nsource_profile = p\nrole_arn = ${role}\nregion = us-east-1\nendpoint_url = ${emulator.url}\n\n[profile cp]\nregion = us-east-1\ncredential_process = ${cp}\n`;
writeFileSync(home.configFile, config);
const env = { ...home.env, PATH: process.env.PATH };
await exec(['add', '--env', 'p'], { ...env, AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey });
await exec(['export', '--format=json', 'p'], env); // caches a GetSessionToken session

// A floor: a plain node script reading and decrypting the same item from the same store.
const floor = join(home.dir, 'floor.mjs');
writeFileSync(floor, `import { openFileBackend } from ${JSON.stringify(join(root, 'plugins/backend-file/dist/index.js'))};
const b = await openFileBackend({ env: process.env, homeDir: process.env.HOME, askPassphrase: async () => '', debug: () => {} });
const keys = await b.keys(); const k = keys.find((x) => x.startsWith('sts.GetSessionToken,'));
process.stdout.write(new TextDecoder().decode((await b.get(k)).data));\n`);
const sdkProcess = join(home.dir, 'sdk-process.mjs');
writeFileSync(sdkProcess, `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(root, 'packages/core/package.json'))});
const { fromProcess } = require(require.resolve('@aws-sdk/credential-provider-process'));
const c = await fromProcess({ profile: 'cp' })(); process.stdout.write(c.accessKeyId);\n`);

const cached = await hyperfine(
  [
    { name: 'node -e 0', cmd: `${process.execPath} -e 0` },
    { name: 'floor: node reads the item from the file store', cmd: `${process.execPath} ${floor}` },
    { name: 'vault export --format=json p (cached, fast path)', cmd: `${process.execPath} ${vault} export --format=json p` },
    { name: 'vault export --format=json p (cached, oclif path)', cmd: `env VAULT_NO_FAST_PATH=1 ${process.execPath} ${vault} export --format=json p` },
    { name: 'vault exec p -- true (cached)', cmd: `${process.execPath} ${vault} exec p -- true` },
    { name: 'vault --version', cmd: `${process.execPath} ${vault} --version` },
    { name: 'AWS SDK fromProcess(credential_process = vault export)', cmd: `${process.execPath} ${sdkProcess}` },
    { name: 'aws configure export-credentials --profile cp', cmd: `/usr/bin/aws configure export-credentials --profile cp --format process` },
  ],
  env,
);

// list with 2,500 profiles and 500 cached sessions
for (let i = 0; i < 2500; i++) config += `\n[profile gen-${i}]\nregion = eu-west-1\nsource_profile = p\nrole_arn = arn:aws:iam::123456789012:role/r${i}\n`;
writeFileSync(home.configFile, config);
const backend = await openFileBackend({ env, homeDir: home.dir, askPassphrase: async () => home.passphrase, debug: () => {} });
const sessions = new core.SessionStore(backend);
for (let i = 0; i < 500; i++) {
  await sessions.set('sts.AssumeRole', `gen-${i}`, 'arn:aws:iam::123456789012:mfa/bench', { accessKeyId: `ASIABENCH${String(i).padStart(11, '0')}`, secretAccessKey: 'x'.repeat(40), sessionToken: 't'.repeat(300), expiration: new Date(Date.now() + 3600_000) });
}
const list = await hyperfine([{ name: 'node -e 0', cmd: `${process.execPath} -e 0` }, { name: 'vault list (2,500 profiles, 500 sessions)', cmd: `${process.execPath} ${vault} list` }], env);

// first-time paths against the emulator: AWS_MIN_TTL longer than any session forces a refresh
const fresh = await hyperfine(
  [
    { name: 'node -e 0', cmd: `${process.execPath} -e 0` },
    { name: 'vault export p: GetSessionToken every run', cmd: `env AWS_MIN_TTL=100h ${process.execPath} ${vault} export --format=json p` },
    { name: 'vault export role: AssumeRole every run', cmd: `env AWS_MIN_TTL=100h ${process.execPath} ${vault} export --format=json role` },
  ],
  env,
);
await emulator.close();
home.cleanup();

const ms = (s) => (s * 1000).toFixed(1);
const table = (title, results) => {
  const base = results.find((r) => r.command === 'node -e 0').median;
  const rows = results.map((r) => `| ${r.command} | ${ms(r.min)} | ${ms(r.median)} | ${(r.median / base).toFixed(2)}x |`);
  return `### ${title}\n\n| command | min ms | median ms | ratio to node -e 0 |\n| --- | ---: | ---: | ---: |\n${rows.join('\n')}\n`;
};
const report = `# Benchmark results

Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, hyperfine, ${runs} runs after 3 warm-ups each.
Every ratio is against \`node -e 0\` measured in the same hyperfine run. Reproduce with \`npm run build && npm run bench\`.

${table('Cached credentials (file backend, JWE)', cached)}
${table('vault list', list)}
${table('First-time paths against the local emulator', fresh)}`;
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(join(root, 'bench', 'RESULTS.md'), report);
console.log(report);
