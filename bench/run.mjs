#!/usr/bin/env node
// `npm run bench`: process timings with hyperfine, each reported as min/median and as a ratio to
// `node -e 0` measured in the same run, written to bench/RESULTS.md. Not part of `npm test`:
// benchmarks report, CI does not gate on noise. Needs `npm run build` and Debian's hyperfine; the
// Secret Service rows need dbus-daemon, gnome-keyring and secret-tool, the pass rows pass and gpg
// (rows whose tools are missing are left out and say so).
//
// Besides the tables it runs bench/servers.mjs (the ECS credential server under load), profiles a
// cached fast-path export with --cpu-prof ("where the time goes"), and states each goal as met or
// missed from the numbers just measured.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vault = join(root, 'packages/cli/bin/run.js');
const runs = Number(process.env.BENCH_RUNS ?? 20);
const node = process.execPath;
const { startEmulator } = await import(join(root, 'e2e/dist/emulator/server.js'));
const { tempHome } = await import(join(root, 'e2e/dist/helpers/tempHome.js'));
const core = await import(join(root, 'packages/core/dist/index.js'));
const { openFileBackend } = await import(join(root, 'plugins/backend-file/dist/index.js'));
const tracer = join(root, 'packages/core/dist/testing/traceImports.js');

/** Whether an executable of that name is on PATH. */
const have = (tool) => (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, tool)));
if (!have('hyperfine')) {
  console.error('bench needs hyperfine: apt-get install -y hyperfine');
  process.exit(1);
}

/** The 1-minute load average, sampled before every measurement, so RESULTS.md can say how quiet the machine was. */
const loads = [];
const sampleLoad = () => loads.push(loadavg()[0]);

/** Runs vault to completion; rejects with its stderr on failure. */
const exec = (args, env, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(node, [vault, ...args], { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    if (input !== undefined) child.stdin.end(input);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`vault ${args.join(' ')}: ${err}`))));
  });

/**
 * A measured command: argv plus the variables it needs on top of the run's environment (given to
 * hyperfine as an `env K=V …` prefix; the floors of such rows get the same prefix, so the extra exec
 * of env is in both).
 */
const command = (name, argv, extraEnv = {}) => {
  const words = [...Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`), ...argv];
  for (const word of words) if (/[\s'"\\$]/.test(word)) throw new Error(`bench paths must not need quoting: ${word}`);
  return { name, argv, extraEnv, cmd: (Object.keys(extraEnv).length > 0 ? ['env', ...words] : argv).join(' ') };
};
const vaultCommand = (name, args, extraEnv) => command(name, [node, vault, ...args], extraEnv);

/** Runs hyperfine asynchronously (the emulator lives in this process) and returns its JSON results. */
function hyperfine(commands, env) {
  sampleLoad();
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
      sampleLoad();
      resolve(results);
    });
  });
}

/**
 * Which path answered a vault command: runs it once with the import tracer; the fast path loads
 * dist/fastBundle/runFastPath.js and never @oclif/core.
 */
function pathOf(c, env) {
  const trace = join(mkdtempSync(join(tmpdir(), 'vault-bench-trace-')), 'trace.txt');
  const [, ...args] = c.argv;
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['--import', pathToFileURL(tracer).href, ...args], { env: { ...env, ...c.extraEnv, VAULT_TRACE_IMPORTS: trace }, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => {
      const loaded = existsSync(trace) ? readFileSync(trace, 'utf8') : '';
      rmSync(join(trace, '..'), { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`${c.name} exited ${code}`));
      resolve(/@oclif\/core/.test(loaded) ? 'oclif' : /fastBundle\/runFast(Path|List)\.js/.test(loaded) ? 'fast' : 'other');
    });
  });
}

const emulator = await startEmulator();
const home = tempHome();
const notes = [];
const cleanups = [];
const user = emulator.state.createUser('bench');
const role = emulator.state.createRole({ name: 'bench-role', trustedPrincipals: [user.arn] }).arn;
const ACCOUNT = '111122223333';
emulator.sso.assign({ roleName: 'Admin', accountId: ACCOUNT });
const cp = `${node} ${vault} export --format=json p`;
let config =
  `[profile p]\nregion = us-east-1\nendpoint_url = ${emulator.url}\n\n` +
  `[profile role]\nsource_profile = p\nrole_arn = ${role}\nregion = us-east-1\nendpoint_url = ${emulator.url}\n\n` +
  `[profile cp]\nregion = us-east-1\ncredential_process = ${cp}\n\n` +
  `[profile static]\nregion = us-east-1\n\n` +
  `[sso-session corp]\nsso_start_url = https://emulated.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n` +
  `[profile sso]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = Admin\nregion = us-east-1\nendpoint_url = ${emulator.url}\n`;
writeFileSync(home.configFile, config);
// The AWS CLI's own store, for the AWS CLI doing the same export without vault.
writeFileSync(join(home.dir, '.aws', 'credentials'), `[static]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`);
const env = { ...home.env, PATH: process.env.PATH };
const keysEnv = { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey };
await exec(['add', '--env', 'p'], { ...env, ...keysEnv });
await exec(['export', '--format=json', 'p'], env); // caches a GetSessionToken session

/** The key of the cached GetSessionToken session of profile p in a backend. */
const sessionKey = async (backend) => {
  const key = (await backend.keys()).find((k) => k.startsWith('sts.GetSessionToken,'));
  if (!key) throw new Error('no cached session in the backend');
  return key;
};

// A floor per store: a plain node script reading the same cached session from the same store with
// the least code there is: for the file store, node:crypto alone decrypting the JWE (aws-vault's
// PBES2-HS256+A128KW / A256GCM, as plugins/backend-file/README.md specifies it).
const floorFile = join(home.dir, 'floor-file.mjs');
writeFileSync(floorFile, `import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
const dir = process.env.AWS_VAULT_FILE_DIR || process.env.HOME + '/.awsvault/keys';
const name = readdirSync(dir).find((f) => f.startsWith('sts.GetSessionToken,'));
const [h, k, iv, ct, tag] = readFileSync(dir + '/' + name, 'utf8').trim().split('.');
const b = (x) => Buffer.from(x, 'base64url');
const header = JSON.parse(b(h));
const salt = Buffer.concat([Buffer.from(header.alg), Buffer.from([0]), b(header.p2s)]);
const kek = pbkdf2Sync(process.env.AWS_VAULT_FILE_PASSPHRASE, salt, header.p2c, 16, 'sha256');
const unwrap = createDecipheriv('id-aes128-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
const cek = Buffer.concat([unwrap.update(b(k)), unwrap.final()]);
const gcm = createDecipheriv('aes-256-gcm', cek, b(iv)).setAAD(Buffer.from(h, 'ascii')).setAuthTag(b(tag));
process.stdout.write(Buffer.concat([gcm.update(b(ct)), gcm.final()]));\n`);
// For OpenPGP items: openpgp (the library the backend uses) decrypting the message.
const floorOpenpgp = join(home.dir, 'floor-openpgp.mjs');
writeFileSync(floorOpenpgp, `import { readdirSync, readFileSync } from 'node:fs';
import { decrypt, readMessage } from ${JSON.stringify(import.meta.resolve('openpgp'))};
const dir = process.env.AWS_VAULT_FILE_DIR;
const name = readdirSync(dir).find((f) => f.startsWith('sts.GetSessionToken,'));
const message = await readMessage({ armoredMessage: readFileSync(dir + '/' + name, 'utf8') });
const { data } = await decrypt({ message, passwords: [process.env.AWS_VAULT_FILE_PASSPHRASE], format: 'binary' });
process.stdout.write(data);\n`);
const sdkProcess = join(home.dir, 'sdk-process.mjs');
writeFileSync(sdkProcess, `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(root, 'packages/core/package.json'))});
const { fromProcess } = require(require.resolve('@aws-sdk/credential-provider-process'));
const c = await fromProcess({ profile: 'cp' })(); process.stdout.write(c.accessKeyId);\n`);
const sdkIni = join(home.dir, 'sdk-ini.mjs');
writeFileSync(sdkIni, `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(root, 'packages/core/package.json'))});
const { fromIni } = require(require.resolve('@aws-sdk/credential-provider-ini'));
const c = await fromIni({ profile: 'cp' })(); process.stdout.write(c.accessKeyId);\n`);

const nodeBare = command('node -e 0', [node, '-e', '0']);
const fileFast = vaultCommand('vault export --format=json p (cached, fast path)', ['export', '--format=json', 'p']);
const execFast = vaultCommand('vault exec p -- true (cached)', ['exec', 'p', '--', 'true']);
const cachedCommands = [
  nodeBare,
  command('floor: node:crypto decrypts the item from the file store (JWE)', [node, floorFile]),
  fileFast,
  vaultCommand('vault export --format=json p (cached, fast path, no code cache)', ['export', '--format=json', 'p'], { VAULT_NO_CODE_CACHE: '1' }),
  vaultCommand('vault export --format=json p (cached, oclif path)', ['export', '--format=json', 'p'], { VAULT_NO_FAST_PATH: '1' }),
  execFast,
  vaultCommand('vault --version', ['--version']),
];
/** Rows compared with their store's floor: [floor, vault, …]. */
const floorPairs = [{ store: 'file (JWE)', floor: cachedCommands[1], vault: fileFast }];

// The file backend in OpenPGP format (AWS_VAULT_FILE_FORMAT=openpgp), if this build writes it.
const pgpDir = join(home.dir, '.awsvault', 'keys-openpgp');
try {
  const pgpEnv = { ...env, AWS_VAULT_FILE_DIR: pgpDir, AWS_VAULT_FILE_FORMAT: 'openpgp' };
  await exec(['add', '--env', 'p'], { ...pgpEnv, ...keysEnv });
  await exec(['export', '--format=json', 'p'], pgpEnv);
  const files = readdirSync(pgpDir).filter((f) => !f.startsWith('.'));
  if (files.length < 2 || !files.every((f) => readFileSync(join(pgpDir, f), 'utf8').startsWith('-----BEGIN PGP MESSAGE-----'))) {
    throw new Error('items were not written as OpenPGP messages (AWS_VAULT_FILE_FORMAT=openpgp is not supported by this build)');
  }
  const floor = command('floor: openpgp decrypts the item from the file store (OpenPGP)', [node, floorOpenpgp], { AWS_VAULT_FILE_DIR: pgpDir });
  const fast = vaultCommand('vault export --format=json p (cached, file backend OpenPGP, fast path)', ['export', '--format=json', 'p'], { AWS_VAULT_FILE_DIR: pgpDir });
  cachedCommands.push(floor, fast);
  floorPairs.push({ store: 'file (OpenPGP)', floor, vault: fast });
} catch (error) {
  notes.push(`OpenPGP file backend rows left out: ${error.message.split('\n')[0]}`);
}

// Secret Service: a private dbus-daemon and an unlocked gnome-keyring-daemon, with the `awsvault`
// collection created through gnome-keyring's test interface (as the backend's own tests do).
let secretServiceKey;
if (have('dbus-daemon') && have('gnome-keyring-daemon') && have('secret-tool')) {
  try {
    const { startTestBus } = await import(join(root, 'plugins/backend-secret-service/dist/testBus.test.helper.js'));
    const bus = await startTestBus({ keyring: true });
    cleanups.push(() => bus.stop());
    await bus.createCollection('awsvault');
    // Every command may see the bus: the others name their backend (AWS_VAULT_BACKEND=file).
    env.DBUS_SESSION_BUS_ADDRESS = bus.address;
    await exec(['add', '--env', '--backend', 'secret-service', 'p'], { ...env, ...keysEnv });
    await exec(['export', '--backend', 'secret-service', '--format=json', 'p'], env);
    const { openSecretServiceBackend } = await import(join(root, 'plugins/backend-secret-service/dist/index.js'));
    const backend = await openSecretServiceBackend({ env, homeDir: home.dir, askPassphrase: async () => '', debug: () => {} });
    secretServiceKey = await sessionKey(backend);
    await backend.close?.();
    const floorSs = join(home.dir, 'floor-secret-service.mjs');
    writeFileSync(floorSs, `import { execFileSync } from 'node:child_process';
process.stdout.write(execFileSync('secret-tool', ['lookup', 'profile', process.argv[2]]));\n`);
    if (/[\s'"\\$]/.test(secretServiceKey)) throw new Error(`session key needs quoting: ${secretServiceKey}`);
    const floor = command('floor: node runs secret-tool lookup profile <session key>', [node, floorSs, secretServiceKey]);
    const fast = vaultCommand('vault export --format=json p (cached, secret-service, fast path)', ['export', '--backend', 'secret-service', '--format=json', 'p']);
    const full = vaultCommand('vault export --format=json p (cached, secret-service, oclif path)', ['export', '--backend', 'secret-service', '--format=json', 'p'], { VAULT_NO_FAST_PATH: '1' });
    cachedCommands.push(floor, fast, full);
    floorPairs.push({ store: 'secret-service', floor, vault: fast });
  } catch (error) {
    notes.push(`Secret Service rows left out: ${error.message.split('\n')[0]}`);
  }
} else {
  notes.push('Secret Service rows left out: dbus-daemon, gnome-keyring-daemon or secret-tool is missing');
}

// pass: a throw-away GNUPGHOME with an ed25519 key and a store made by `pass init`. pass is not a
// bundled plugin, so it is linked into its own data dir (XDG_DATA_HOME), as a user installs it; the
// fast path loads a user plugin's vault:* hooks itself, so pass is measured on both paths.
if (have('pass') && have('gpg')) {
  try {
    const { createPassFixture } = await import(join(root, 'plugins/backend-pass/dist/passFixture.test-helper.js'));
    const fixture = await createPassFixture();
    cleanups.push(() => fixture.cleanup());
    const store = await fixture.newStore();
    env.GNUPGHOME = fixture.dir;
    env.PASSWORD_STORE_DIR = store;
    env.OCLIF_DISABLE_LINKED_ESM_WARNING = '1';
    const passData = join(home.dir, 'pass-data');
    const passEnv = { XDG_DATA_HOME: passData };
    await exec(['plugins', 'link', join(root, 'plugins/backend-pass'), '--no-install'], { ...env, ...passEnv });
    await exec(['add', '--env', '--backend', 'pass', 'p'], { ...env, ...passEnv, ...keysEnv });
    await exec(['export', '--backend', 'pass', '--format=json', 'p'], { ...env, ...passEnv });
    const entries = readdirSync(store).filter((f) => f.startsWith('sts.GetSessionToken,') && f.endsWith('.gpg'));
    if (entries.length !== 1) throw new Error(`expected one cached session in the pass store, found ${entries.length}`);
    const floorPass = join(home.dir, 'floor-pass.mjs');
    writeFileSync(floorPass, `import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
const entry = readdirSync(process.env.PASSWORD_STORE_DIR).find((f) => f.startsWith('sts.GetSessionToken,') && f.endsWith('.gpg')).slice(0, -4);
process.stdout.write(execFileSync('pass', ['show', entry]));\n`);
    const floor = command('floor: node runs pass show <session entry>', [node, floorPass], passEnv);
    const fast = vaultCommand('vault export --format=json p (cached, pass as a linked plugin, fast path)', ['export', '--backend', 'pass', '--format=json', 'p'], passEnv);
    cachedCommands.push(
      floor,
      fast,
      vaultCommand('vault export --format=json p (cached, pass, oclif path)', ['export', '--backend', 'pass', '--format=json', 'p'], { ...passEnv, VAULT_NO_FAST_PATH: '1' }),
      vaultCommand('vault export --format=json p (cached, file backend, with the pass plugin linked, fast path)', ['export', '--format=json', 'p'], passEnv),
    );
    floorPairs.push({ store: 'pass', floor, vault: fast });
  } catch (error) {
    notes.push(`pass rows left out: ${error.message.split('\n')[0]}`);
  }
} else {
  notes.push('pass rows left out: pass or gpg is missing');
}

// A cached SSO role session: sign in once with the device flow, approved at the emulator as the
// person at the browser would, then every export is answered from the cached role credentials.
const ssoLogin = () =>
  new Promise((resolve, reject) => {
    const child = spawn(node, [vault, 'export', '--format=json', 'sso'], { env: { ...env, AWS_VAULT_STDOUT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let approved = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.resume();
    child.stderr.on('data', async (d) => {
      err += d;
      const code = /Confirmation code: ([A-Z]{4}-[A-Z]{4})/.exec(err)?.[1];
      if (code && !approved) {
        approved = true;
        const r = await fetch(`${emulator.url}/_emulator/sso/approve?user_code=${code}`, { method: 'POST' });
        if (r.status !== 200) reject(new Error(`approving ${code}: ${r.status}`));
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`vault export sso exited ${code}: ${err}`));
    });
  });
try {
  await ssoLogin();
  cachedCommands.push(
    vaultCommand('vault export --format=json sso (cached SSO role session, fast path)', ['export', '--format=json', 'sso']),
    vaultCommand('vault export --format=json sso (cached SSO role session, oclif path)', ['export', '--format=json', 'sso'], { VAULT_NO_FAST_PATH: '1' }),
  );
} catch (error) {
  notes.push(`SSO rows left out: ${error.message.split('\n')[0]}`);
}

const sdkFromProcess = command('AWS SDK fromProcess(credential_process = vault export)', [node, sdkProcess]);
const sdkFromIni = command('AWS SDK fromIni(profile with credential_process = vault export)', [node, sdkIni]);
const awsVault = command('aws configure export-credentials --profile cp (credential_process = vault export)', ['/usr/bin/aws', 'configure', 'export-credentials', '--profile', 'cp', '--format', 'process']);
const awsStatic = command('aws configure export-credentials --profile static (the AWS CLI alone, keys in ~/.aws/credentials)', ['/usr/bin/aws', 'configure', 'export-credentials', '--profile', 'static', '--format', 'process']);
cachedCommands.push(sdkFromProcess, sdkFromIni, awsVault, awsStatic);

// Every floor really reads the session item (its JSON names the item's key).
for (const c of cachedCommands.filter((c) => c.name.startsWith('floor:'))) {
  const out = execFileSync(c.argv[0], c.argv.slice(1), { env: { ...env, ...c.extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
  if (!out.includes('"Key":"sts.GetSessionToken,')) throw new Error(`${c.name} did not print the session item: ${out.slice(0, 200)}`);
}

// Which path really answered each vault row (the name says what is expected; this checks it).
const answeredBy = new Map();
for (const c of cachedCommands) if (c.argv[1] === vault) answeredBy.set(c.name, await pathOf(c, env));
for (const [name, path] of answeredBy) {
  const expected = /fast path\)/.test(name) || name === execFast.name ? 'fast' : /oclif path/.test(name) ? 'oclif' : undefined;
  if (expected && path !== expected) notes.push(`"${name}" was answered by the ${path} path, not the ${expected} path`);
}

const cached = await hyperfine(cachedCommands, env);

// Where the time goes: --cpu-prof of the cached fast-path export, in the state measured above,
// self time summed over several runs.
const PROFILES = 10;
const profileDir = mkdtempSync(join(tmpdir(), 'vault-bench-prof-'));
sampleLoad();
for (let i = 0; i < PROFILES; i++) {
  execFileSync(node, ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', profileDir, vault, 'export', '--format=json', 'p'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}
const profile = summariseProfiles(readdirSync(profileDir).map((f) => JSON.parse(readFileSync(join(profileDir, f), 'utf8'))));
rmSync(profileDir, { recursive: true, force: true });

// list with 2,500 profiles and 500 cached sessions
for (let i = 0; i < 2500; i++) config += `\n[profile gen-${i}]\nregion = eu-west-1\nsource_profile = p\nrole_arn = arn:aws:iam::123456789012:role/r${i}\n`;
writeFileSync(home.configFile, config);
const backend = await openFileBackend({ env, homeDir: home.dir, askPassphrase: async () => home.passphrase, debug: () => {} });
const sessions = new core.SessionStore(backend);
for (let i = 0; i < 500; i++) {
  await sessions.set('sts.AssumeRole', `gen-${i}`, 'arn:aws:iam::123456789012:mfa/bench', { accessKeyId: `ASIABENCH${String(i).padStart(11, '0')}`, secretAccessKey: 'x'.repeat(40), sessionToken: 't'.repeat(300), expiration: new Date(Date.now() + 3600_000) });
}
const listCommand = vaultCommand('vault list (2,500 profiles, 500 sessions, fast path)', ['list']);
const listCommands = [
  nodeBare,
  listCommand,
  vaultCommand('vault list (2,500 profiles, 500 sessions, oclif path)', ['list'], { VAULT_NO_FAST_PATH: '1' }),
  // credential_process with a config of thousands of profiles (a populated SSO organisation): the
  // file is checked whole, but only the sections the profile uses are read into entries.
  vaultCommand('vault export --format=json p (cached, 2,500-profile config, fast path)', ['export', '--format=json', 'p']),
];
for (const c of listCommands.slice(1)) {
  const path = await pathOf(c, env);
  const expected = /fast path\)/.test(c.name) ? 'fast' : 'oclif';
  if (path !== expected) notes.push(`"${c.name}" was answered by the ${path} path, not the ${expected} path`);
}
const list = await hyperfine(listCommands, env);

// first-time paths against the emulator: AWS_MIN_TTL longer than any session forces a refresh
const fresh = await hyperfine(
  [
    nodeBare,
    vaultCommand('vault export p: GetSessionToken every run', ['export', '--format=json', 'p'], { AWS_MIN_TTL: '100h' }),
    vaultCommand('vault export role: AssumeRole every run', ['export', '--format=json', 'role'], { AWS_MIN_TTL: '100h' }),
  ],
  env,
);

// The ECS credential server under load (bench/servers.mjs, run as it is run by hand).
let servers;
try {
  sampleLoad();
  servers = await new Promise((resolve, reject) => {
    const child = spawn(node, [join(root, 'bench/servers.mjs')], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`bench/servers.mjs exited ${code}`))));
  });
  sampleLoad();
} catch (error) {
  notes.push(`ECS server numbers left out: ${error.message}`);
}

await emulator.close();
for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
home.cleanup();

// ---- report ----

const ms = (s) => (s * 1000).toFixed(1);
const byName = (results, c) => results.find((r) => r.command === c.name);
const table = (title, results, withPath = false) => {
  const base = results.find((r) => r.command === 'node -e 0').median;
  const rows = results.map((r) => `| ${r.command} | ${ms(r.min)} | ${ms(r.median)} | ${(r.median / base).toFixed(2)}x |${withPath ? ` ${answeredBy.get(r.command) ?? ''} |` : ''}`);
  const header = `| command | min ms | median ms | ratio to node -e 0 |${withPath ? ' answered by |' : ''}\n| --- | ---: | ---: | ---: |${withPath ? ' --- |' : ''}`;
  return `### ${title}\n\n${header}\n${rows.join('\n')}\n`;
};

const floorTable = () => {
  const rows = floorPairs.map(({ store, floor, vault: v }) => {
    const f = byName(cached, floor).median;
    const m = byName(cached, v).median;
    return `| ${store} | ${ms(f)} | ${ms(m)} | ${answeredBy.get(v.name)} | ${((m - f) * 1000).toFixed(1)} |`;
  });
  return `### Each store against its floor\n\nThe floor is a plain node script reading the same cached session from the same store with the least code there is (JWE: \`node:crypto\` alone; OpenPGP: the \`openpgp\` library; Secret Service: \`secret-tool lookup\`; pass: \`pass show\`), measured in the same hyperfine run.\n\n| store | floor median ms | vault median ms | vault path | vault over floor, ms |\n| --- | ---: | ---: | --- | ---: |\n${rows.join('\n')}\n`;
};

// servers.mjs prints a markdown table: | route | req/s (mean) | p50 ms | p99 ms | max ms | requests | non-2xx | errors |
const serverRows = (servers ?? '').split('\n').filter((line) => /^\| \//.test(line)).map((line) => {
  const cells = line.split('|').slice(1, -1).map((c) => c.trim());
  return { route: cells[0], rps: Number(cells[1]), p50: Number(cells[2]), p99: Number(cells[3]), non2xx: Number(cells[6]), errors: Number(cells[7]) };
});

function summariseProfiles(profiles) {
  const self = new Map();
  const categories = new Map();
  let total = 0;
  let wall = 0;
  const shortUrl = (url) => url.replace(pathToFileURL(root).href, '').replace(/^packages\/cli\/dist\//, '');
  const categoryOf = (frame) => {
    const url = frame.url;
    if (!url) return frame.functionName.startsWith('(') ? frame.functionName : 'V8 builtins and native code';
    if (url.startsWith('node:internal/modules/')) return 'module loading: resolving, reading and compiling modules (node:internal/modules)';
    if (/^node:internal\/(bootstrap\/realm|bootstrap\/node)/.test(url)) return "loading Node's built-in modules on first use (node:internal/bootstrap)";
    if (/^node:internal\/(process|main|bootstrap)\//.test(url)) return "Node's own start-up and exit (node:internal/process, main)";
    if (/^node:(internal\/)?crypto/.test(url)) return 'crypto (node:crypto)';
    if (url.startsWith('node:')) return 'other Node.js internals (fs, streams, child_process, …)';
    if (url.includes('/fastBundle/')) return "vault's own code (dist/fastBundle)";
    if (url.endsWith('/bin/run.js')) return 'bin/run.js';
    return 'other JavaScript';
  };
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    wall += p.endTime - p.startTime;
    p.samples.forEach((id, i) => {
      const n = nodes.get(id);
      const dt = p.timeDeltas[i] ?? 0;
      total += dt;
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'}|${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`;
      self.set(key, (self.get(key) ?? 0) + dt);
      const category = categoryOf(f);
      categories.set(category, (categories.get(category) ?? 0) + dt);
    });
  }
  const perRun = (us) => us / profiles.length / 1000;
  return {
    runs: profiles.length,
    wallMs: perRun(wall),
    top: [...self].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([key, us]) => ({ fn: key.split('|')[0], where: key.split('|')[1], ms: perRun(us), share: us / total })),
    categories: [...categories].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: perRun(us), share: us / total })),
  };
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;
/** One sentence on the profile: what dominates, in the categories' own numbers. */
const summary = () => {
  const of = (prefix) => profile.categories.filter((c) => c.name.startsWith(prefix)).reduce((sum, c) => sum + c.ms, 0);
  const loading = of('module loading') + of("loading Node's built-in");
  const own = of("vault's own code");
  const idle = of('(idle)');
  return `In short: ${loading.toFixed(1)} ms per run goes to loading code (vault's bundle chunks and the Node built-ins they import), ${of("Node's own start-up").toFixed(1)} ms to Node's own start-up and exit, ${own.toFixed(1)} ms to vault's own functions (config parsing, profile resolution, the session lookup, output), ${of('crypto').toFixed(1)} ms to crypto on the main thread, and ${idle.toFixed(1)} ms the main thread is idle, waiting on the thread pool (the PBKDF2 of the JWE key unwrap and file reads)${loading > own + idle + of('crypto') ? ' — so, beyond bare Node, the cost is mostly loading code rather than running it' : ''}.`;
};
const whereTimeGoes = () => {
  const exportMedian = byName(cached, fileFast).median * 1000;
  const bare = byName(cached, nodeBare).median * 1000;
  return `## Where the time goes

\`node --cpu-prof --cpu-prof-interval 50\` of \`vault export --format=json p\` (cached session, file backend, fast path), ${profile.runs} runs; times are self time per run, averaged. The profile covers ${profile.wallMs.toFixed(1)} ms of the ${exportMedian.toFixed(1)} ms median wall time; the rest is process start before the profiler runs and exit (bare \`node -e 0\` takes ${bare.toFixed(1)} ms).

| where | self ms per run | share of profile |
| --- | ---: | ---: |
${profile.categories.map((c) => `| ${c.name} | ${c.ms.toFixed(2)} | ${pct(c.share)} |`).join('\n')}

${summary()}

Top self-time entries:

| function | location | self ms per run | share |
| --- | --- | ---: | ---: |
${profile.top.map((t) => `| \`${t.fn}\` | ${t.where ? `\`${t.where}\`` : ''} | ${t.ms.toFixed(2)} | ${pct(t.share)} |`).join('\n')}
`;
};

const goals = () => {
  const rows = [];
  const median = (results, c) => byName(results, c)?.median;
  const base = median(cached, nodeBare);
  const goal = (text, measured, met) => rows.push(`| ${text} | ${measured} | ${met === undefined ? 'not measured' : met ? '**met**' : '**missed**'} |`);
  const fileRatio = median(cached, fileFast) / base;
  goal('cached export, file backend ≤ 1.3x bare node', `${fileRatio.toFixed(2)}x`, fileRatio <= 1.3);
  for (const store of ['pass', 'secret-service']) {
    const pair = floorPairs.find((p) => p.store === store);
    if (!pair) {
      goal(`${store} ≤ 15 ms over its floor`, 'not measured', undefined);
      continue;
    }
    const over = (median(cached, pair.vault) - median(cached, pair.floor)) * 1000;
    goal(`${store} ≤ 15 ms over its floor`, `${over.toFixed(1)} ms over (${answeredBy.get(pair.vault.name)} path)`, over <= 15);
  }
  const execRatio = median(cached, execFast) / base;
  goal('`exec p -- true` ≤ 1.5x', `${execRatio.toFixed(2)}x`, execRatio <= 1.5);
  const listRatio = median(list, listCommand) / median(list, nodeBare);
  goal('`list` with 2,500 profiles ≤ 1.2x', `${listRatio.toFixed(2)}x`, listRatio <= 1.2);
  const awsRatio = median(cached, awsStatic) / median(cached, fileFast);
  goal('≥ 5x faster than the AWS CLI doing the same export', `${awsRatio.toFixed(1)}x (aws configure export-credentials of static keys ${ms(median(cached, awsStatic))} ms vs vault ${ms(median(cached, fileFast))} ms)`, awsRatio >= 5);
  const profileRoute = serverRows.find((r) => r.route.startsWith('/ '));
  if (profileRoute) {
    const worst = serverRows.reduce((a, r) => ({ rps: Math.min(a.rps, r.rps), p99: Math.max(a.p99, r.p99) }), { rps: Infinity, p99: 0 });
    goal('ECS server ≥ 5,000 req/s and p99 < 5 ms', `${worst.rps.toFixed(0)} req/s, p99 ${worst.p99} ms (worst route)`, worst.rps >= 5000 && worst.p99 < 5 && serverRows.every((r) => r.non2xx === 0 && r.errors === 0));
  } else {
    goal('ECS server ≥ 5,000 req/s and p99 < 5 ms', 'not measured', undefined);
  }
  return `## Goals\n\nFrom the numbers above (medians).\n\n| goal | measured | |\n| --- | --- | --- |\n${rows.join('\n')}\n`;
};

/** What would close each goal that can miss; written from the profile above, kept with the report. */
const CLOSING = `## What would close the missed goals

Run to run on this 2-core machine the same build moves by ±5% (the fast-path export measured
1.38x–1.48x of bare node on one day with no code change between runs), so a goal within that band
of its line is a coin toss rather than a result.

- **Cached export with the file backend (≤ 1.3x)**: two changes brought it from 1.43x to the line.
  \`bin/run.js\` and the fast-path bundle are CommonJS, because an ES module entry point made Node
  start its ES module loader, ~4 ms of every process (1.43x → 1.35x). And each chunk now runs with
  a V8 code cache (\`dist/fastBundle/chunkLoader.js\`, made after the first run, so it holds the
  lazily compiled functions too), ~3–4 ms more (compare the "no code cache" row). An earlier try,
  one CommonJS bundle of every backend through \`vm.Script\` with a cache, tied the split bundle
  because it compiled backends that are never opened; the cache per split chunk is what gains.
  What remains beyond bare node is loading \`node:crypto\` (~2.5 ms, needed for the JWE), ~6 ms of
  vault's own functions and ~2 ms waiting for the PBKDF2 of the key unwrap. Run-to-run noise is
  about as large as what is left to the line.
- **Secret Service (≤ 15 ms over its floor)**: met since the CommonJS entry point and the chunk
  cache (22 ms over before). What remains over the floor is mostly dbus-next's wire layer, which
  the bundle leaves external (~11 ms to load, 21 CommonJS files, most of it the jsbi and long
  libraries it marshals 64-bit values with), plus the connection handshake and session per process.
- **pass (≤ 15 ms over its floor)**: pass is a user plugin, and an ES module package with its own
  copy of \`@awsvault/core\`: the fast path imports its hook itself (it was oclif's path, +128 ms,
  before), but that import starts Node's ES module loader and compiles the plugin's core bundle,
  outside the chunk cache. Bundling the pass backend with the CLI, as the Secret Service backend
  is, would put it in the cached chunks.
- **list with 2,500 profiles (≤ 1.2x)**: \`list\` has its own fast path now (it was oclif's, 5x).
  What remains is checking the 2,500-profile file (~8 ms cold, mostly the interpreter running code
  that is not yet compiled, and the garbage collector), building the table (~4 ms) and loading code.
  Go's aws-vault takes ~1.5x here; 1.2x would need the parsed profile names cached between runs.
- **Every goal above at once** is what \`vault serve\` is for: a cached credential fetch through it
  takes ~0.25 ms median (\`npm run bench:serve\`, bench/SERVE-RESULTS.md), with no process start at
  all, and \`vault use <profile> --serve\` points a shell's every \`aws\` and SDK call at it.
`;

const maxLoad = Math.max(...loads);
const loadLine = `Load average (1 min) sampled before and after each measurement: ${Math.min(...loads).toFixed(2)} to ${maxLoad.toFixed(2)}.${
  maxLoad > 2.5 ? ` **The machine was busy (above 2.5 on ${cpus().length} CPUs): other work ran in parallel, so absolute times and ratios are noisier than usual.**` : ''
}`;
const report = `# Benchmark results

Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, hyperfine, ${runs} runs after 3 warm-ups each.
Every ratio is against \`node -e 0\` measured in the same hyperfine run. Reproduce with \`npm run build && npm run bench\`.
${loadLine}
${notes.length > 0 ? `\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
${table('Cached credentials', cached, true)}
The "answered by" column is checked, not assumed: each vault row was run once with an import tracer (the fast path loads \`dist/fastBundle/runFastPath.js\` and never \`@oclif/core\`). pass is not bundled with the CLI; it is linked as a user plugin (\`vault plugins link plugins/backend-pass --no-install\`, in its own \`XDG_DATA_HOME\`). The fast path reads the user's plugin list and imports the plugins' \`vault:*\` hook files itself (it steps aside only for plugins with other hooks), so the pass rows and the row "file backend, with the pass plugin linked" are answered without oclif.

${floorTable()}
${table('vault list, and export with a large config', list)}
${table('First-time paths against the local emulator', fresh)}
### ECS credential server (bench/servers.mjs)

${servers ? servers.trim() : 'not measured'}

${whereTimeGoes()}
${goals()}
${CLOSING}`;
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(join(root, 'bench', 'RESULTS.md'), report);
console.log(report);
