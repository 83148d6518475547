import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startEmulator, type Emulator } from '../emulator/server.js';
import type { CreatedUser } from '../emulator/state.js';
import { startLocalRegistry, type LocalRegistry } from '../helpers/localRegistry.js';
import { cliReleasePackages, isolatedNpmEnv, readTarball, runNpm, type PackageJson, type TarEntry, type WorkspacePackage } from '../helpers/packedCli.js';
import { repoRoot } from '../helpers/paths.js';
import { run, type RunResult } from '../helpers/run.js';
import { tempHome, type TempHome } from '../helpers/tempHome.js';

// What a release ships, installed the way users install it: `npm pack` of the CLI, core and every
// plugin the CLI bundles, served by a loopback registry (third-party dependencies come from this
// checkout's node_modules, so no other registry is asked), then `npm i -g --prefix <temp>` and
// `npm exec`. Every vault run below uses the installed copy, never the checkout.

const tracer = fileURLToPath(import.meta.resolve('@awsvault/core/testing/traceImports'));

/** The tarball's files, keyed by their path inside the package (without `package/`). */
type Packed = Map<string, TarEntry>;

const filesOf = (entries: TarEntry[]): Packed =>
  new Map(entries.filter((e) => e.type === 'file').map((e) => [e.path.replace(/^package\//, ''), e]));

/** `./dist/x.js` → `dist/x.js`. */
const inPackage = (target: string) => posix.normalize(target.replace(/^\.\//, ''));

/** Every file an `exports` map (conditions and subpaths, nested) points at. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

describe('the CLI packed, served by a local registry, and installed with npm', { timeout: 120_000 }, () => {
  let registry: LocalRegistry;
  let packages: WorkspacePackage[];
  const packed = new Map<string, Packed>();
  let work: string;
  let prefix: string;
  let installed: string;
  let npmEnvironment: Record<string, string>;
  let emulator: Emulator;
  let home: TempHome;
  let user: CreatedUser;
  let installResult: RunResult;

  const cliVersion = () => packages.find((p) => p.name === '@awsvault/cli')?.version;

  /** The installed `vault`, as a user's shell runs it (the bin link, its shebang, PATH's node). */
  const vault = (args: string[], extraEnv: Record<string, string> = {}) => run(join(prefix, 'bin', 'vault'), args, { ...home.env, ...extraEnv }, 30_000);

  /** The same, recording every module the process resolves through the ESM loader. */
  const tracedVault = async (name: string, args: string[], extraEnv: Record<string, string> = {}) => {
    const trace = join(home.dir, `trace-${name}.txt`);
    const r = await vault(args, { ...extraEnv, NODE_OPTIONS: `--import=${pathToFileURL(tracer).href}`, VAULT_TRACE_IMPORTS: trace });
    const loaded = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter(Boolean) : [];
    return { ...r, loaded };
  };

  before(
    async () => {
      work = mkdtempSync(join(tmpdir(), 'vault-packaging-'));
      prefix = join(work, 'prefix');
      registry = await startLocalRegistry({ mirror: [join(repoRoot, 'node_modules')] });
      packages = cliReleasePackages();
      const published = await Promise.all(packages.map((p) => registry.publish(p.folder)));
      for (const p of published) {
        const response = await fetch(p.tarballUrl);
        assert.equal(response.status, 200, p.tarballUrl);
        packed.set(p.name, filesOf(readTarball(Buffer.from(await response.arrayBuffer()))));
      }
      npmEnvironment = isolatedNpmEnv(join(work, 'npm'), registry.url);
      installResult = await runNpm(['install', '--global', '--prefix', prefix, '@awsvault/cli', '--registry', registry.url], npmEnvironment, work, 75_000);
      if (installResult.code !== 0) throw new Error(`npm i -g @awsvault/cli failed (${installResult.code}):\n${installResult.stderr}`);
      installed = join(prefix, 'lib', 'node_modules', '@awsvault', 'cli');

      emulator = await startEmulator();
      user = emulator.state.createUser('alice');
      home = tempHome();
      home.writeConfig(`[profile dev]\nregion = us-east-1\nendpoint_url = ${emulator.url}\n`);
    },
    { timeout: 90_000 },
  );
  after(async () => {
    await emulator?.close();
    home?.cleanup();
    await registry?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('every package carries the metadata npm and oclif read', () => {
    for (const p of packages) {
      const files = packed.get(p.name) as Packed;
      const pjson = JSON.parse((files.get('package.json') as TarEntry).data.toString('utf8')) as PackageJson;
      assert.equal(pjson.name, p.name);
      assert.ok(pjson.engines?.['node'], `${p.name}: engines.node`);
      assert.equal(pjson.publishConfig?.['access'], 'public', `${p.name}: a scoped package is private on npm unless published with access public`);
      assert.match(pjson.repository?.url ?? '', /^git\+https:\/\//, `${p.name}: repository.url`);
      assert.equal(pjson.repository?.directory, relative(repoRoot, p.folder), `${p.name}: repository.directory`);
      if (p.name.startsWith('@awsvault/plugin-')) assert.ok(pjson.keywords?.includes('oclif-plugin'), `${p.name}: keyword oclif-plugin`);
      for (const [bin, target] of Object.entries(pjson.bin ?? {})) {
        const file = files.get(inPackage(target));
        assert.ok(file, `${p.name}: bin ${bin} -> ${target} is not in the tarball`);
        assert.match(file.data.toString('utf8'), /^#!\/usr\/bin\/env node\n/, `${p.name}: bin ${bin} has a node shebang`);
      }
      const targets = [...exportTargets(pjson.exports), ...Object.values(pjson.oclif?.hooks ?? {}).flat()].map(inPackage);
      if (typeof pjson['main'] === 'string') targets.push(inPackage(pjson['main']));
      if (typeof pjson['types'] === 'string') targets.push(inPackage(pjson['types']));
      for (const target of targets) assert.ok(files.has(target), `${p.name}: ${target} (exports, main, types or an oclif hook) is not in the tarball`);
      const stray = [...files.keys()].filter((path) => /(^|\/)(src|node_modules)\/|\.test[.-]|tsconfig|\.tsbuildinfo$/.test(path));
      assert.deepEqual(stray, [], `${p.name}: sources, tests or build state in the tarball`);
    }
  });

  it('the CLI tarball holds the oclif manifest, matching its commands and version', () => {
    const files = packed.get('@awsvault/cli') as Packed;
    const pjson = JSON.parse((files.get('package.json') as TarEntry).data.toString('utf8')) as PackageJson;
    const entry = files.get('oclif.manifest.json');
    assert.ok(entry, 'oclif.manifest.json is in the tarball');
    const manifest = JSON.parse(entry.data.toString('utf8')) as { version: string; commands: Record<string, unknown> };
    assert.equal(manifest.version, pjson.version, 'oclif ignores a manifest made for another version');
    const commandsDir = inPackage(pjson.oclif?.commands ?? './dist/commands');
    const commandFiles = [...files.keys()]
      .filter((path) => path.startsWith(`${commandsDir}/`) && path.endsWith('.js'))
      .map((path) => path.slice(commandsDir.length + 1, -'.js'.length).replaceAll('/', ':'))
      .sort();
    assert.deepEqual(Object.keys(manifest.commands).sort(), commandFiles, 'the manifest lists exactly the packed commands');
  });

  it('the CLI tarball holds the fast-path bundle, every chunk it imports, and what it requires resolves once installed', () => {
    const files = packed.get('@awsvault/cli') as Packed;
    const bin = (files.get('bin/run.js') as TarEntry).data.toString('utf8');
    assert.match(bin, /'dist', 'fastBundle'/, 'bin/run.js loads the bundle');
    assert.match(bin, /chunkLoader\.js/, 'bin/run.js loads the chunks through the code-cache loader');
    assert.match(bin, /'runFastPath\.js'/, 'bin/run.js runs runFastPath.js');
    assert.ok(files.has('dist/fastBundle/runFastPath.js'), 'dist/fastBundle/runFastPath.js is in the tarball');
    // Both are CommonJS inside a "type": "module" package, through a package.json of their own.
    for (const path of ['bin/package.json', 'dist/fastBundle/package.json']) {
      const entry = files.get(path);
      assert.ok(entry, `${path} is in the tarball`);
      assert.equal((JSON.parse(entry.data.toString('utf8')) as { type?: string }).type, 'commonjs', path);
    }
    const bare = new Set<string>();
    const seen = new Set<string>();
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      const file = files.get(path);
      assert.ok(file, `${path} (imported by the fast-path bundle) is not in the tarball`);
      const code = file.data.toString('utf8');
      // import/export … from "x", import("x") (in the chunks, the loader's __vaultImport("x")), require("x") and calls of a createRequire() function.
      const requireNames = ['require', ...[...code.matchAll(/\b([\w$]+)\s*=\s*(?:\(0,\s*[\w$.]*createRequire\)|[\w$.]*createRequire)\(/g)].map((m) => m[1] as string)];
      const patterns = [/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm, /^\s*import\s*["']([^"']+)["']/gm, /\bimport\(\s*["']([^"']+)["']\s*\)/g, /\b__vaultImport\(\s*["']([^"']+)["']\s*\)/g];
      for (const name of requireNames) patterns.push(new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}\\(\\s*["']([^"']+)["']\\s*\\)`, 'g'));
      for (const [, specifier] of patterns.flatMap((pattern) => [...code.matchAll(pattern)])) {
        if (specifier === undefined || specifier.startsWith('node:')) continue;
        if (specifier.startsWith('.')) visit(posix.join(posix.dirname(path), specifier));
        else bare.add(specifier);
      }
    };
    visit('dist/fastBundle/chunkLoader.js');
    visit('dist/fastBundle/runFastPath.js');
    assert.ok(seen.size > 1, 'the bundle is split into chunks');
    // The bundle leaves the AWS SDK, dbus-next and openpgp external: they must resolve from where
    // npm put the bundle.
    // npm put the bundle (package.json `exports` may hide the rest, so look for the folder as
    // Node's lookup does: node_modules of the bundle's directory and of every parent).
    const fromBundle = join(installed, 'dist', 'fastBundle');
    for (const specifier of bare) {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
      let found: string | undefined;
      for (let dir = fromBundle; found === undefined; dir = dirname(dir)) {
        if (existsSync(join(dir, 'node_modules', name, 'package.json'))) found = join(dir, 'node_modules', name);
        else if (dirname(dir) === dir) break;
      }
      assert.ok(found, `${specifier} (imported by the fast-path bundle) is not installed where the bundle can import it`);
      assert.ok(realpathSync(found).startsWith(realpathSync(prefix)), `${specifier} resolves inside the install: ${found}`);
    }
  });

  it('npm i -g installs it from the local registry; --version and every bundled plugin come from the prefix', async () => {
    assert.doesNotMatch(installResult.stderr, /npm (error|ERR!)/, installResult.stderr);
    for (const p of packages) {
      assert.ok(registry.requests.some((r) => r.kind === 'tarball' && r.name === p.name && r.status === 200), `npm fetched ${p.name}`);
    }
    const ours = registry.packumentRequests().filter((r) => r.name.startsWith('@awsvault/') && r.status !== 200);
    assert.deepEqual(ours, []);

    const version = await vault(['--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `@awsvault/cli/${cliVersion()} ${process.platform}-${process.arch} node-${process.version}\n`);

    const plugins = await vault(['plugins', '--core', '--json']);
    assert.equal(plugins.code, 0, plugins.stderr);
    const listed = JSON.parse(plugins.stdout) as Array<{ name: string; root: string }>;
    const bundled = packages.filter((p) => p.name.startsWith('@awsvault/plugin-'));
    for (const p of bundled) {
      const plugin = listed.find((l) => l.name === p.name);
      assert.ok(plugin, `${p.name} is loaded: ${listed.map((l) => l.name).join(', ')}`);
      assert.ok(realpathSync(plugin.root).startsWith(realpathSync(prefix)), `${p.name} is loaded from ${plugin.root}`);
    }
  });

  it('vault --help lists the commands from the packed manifest, without importing them, all from the prefix', async () => {
    const r = await tracedVault('help', ['--help']);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(readFileSync(join(installed, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { hidden?: boolean }> };
    for (const [id, command] of Object.entries(manifest.commands)) {
      // Commands under a topic (`sso populate`) show as the topic; the root help lists the rest by id.
      const shown = id.split(':')[0] as string;
      if (!command.hidden) assert.match(r.stdout, new RegExp(`^  ${shown}\\s`, 'm'), `help lists ${shown}`);
    }
    assert.ok(r.loaded.length > 0, 'the import trace recorded something');
    assert.deepEqual(r.loaded.filter((url) => /\/dist\/commands\//.test(url)), [], 'no command module is imported to print help');
    const files = r.loaded.filter((url) => url.startsWith('file:') && url !== pathToFileURL(tracer).href && !url.includes('/traceImportsHooks.js'));
    assert.deepEqual(files.filter((url) => !realpathSync(fileURLToPath(url)).startsWith(realpathSync(prefix))), [], 'nothing is loaded from the checkout');
  });

  it('vault add --env, then exec --no-session runs the command with the keys, on the installed fast path', async () => {
    const added = await vault(['add', '--env', 'dev'], { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey });
    assert.equal(added.code, 0, added.stderr);
    assert.ok(readdirSync(home.keysDir).includes('dev'), 'the key is stored in the file backend');

    const r = await tracedVault('exec', ['exec', '--no-session', 'dev', '--', 'sh', '-c', 'echo $AWS_ACCESS_KEY_ID']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${user.accessKeyId}\n`);
    assert.ok(r.loaded.includes(pathToFileURL(join(installed, 'dist', 'fastBundle', 'runFastPath.js')).href), 'the installed fast-path bundle ran');
    assert.deepEqual(r.loaded.filter((url) => /@oclif|@aws-sdk|@smithy/.test(url)), [], 'neither oclif nor the AWS SDK was loaded');
  });

  it('vault export --format=json calls STS through the installed AWS SDK, then answers from the cache on the fast path', async () => {
    const stsBefore = emulator.state.calls('sts:GetSessionToken');
    const first = await tracedVault('export-sts', ['export', '--format=json', 'dev']);
    assert.equal(first.code, 0, first.stderr);
    const credentials = JSON.parse(first.stdout) as { Version: number; AccessKeyId: string; SessionToken: string };
    assert.equal(credentials.Version, 1);
    assert.match(credentials.AccessKeyId, /^ASIA/);
    assert.equal(emulator.state.calls('sts:GetSessionToken'), stsBefore + 1);
    const sdk = first.loaded.filter((url) => url.includes('/@aws-sdk/client-sts/'));
    assert.ok(sdk.length > 0, 'the AWS SDK was loaded');
    assert.ok(sdk.every((url) => realpathSync(fileURLToPath(url)).startsWith(realpathSync(prefix))), sdk.join('\n'));

    const cached = await tracedVault('export-cached', ['export', '--format=json', 'dev']);
    assert.equal(cached.code, 0, cached.stderr);
    assert.equal(cached.stdout, first.stdout, 'the cached session, exactly as first exported');
    assert.equal(emulator.state.calls('sts:GetSessionToken'), stsBefore + 1, 'no STS call');
    assert.ok(cached.loaded.includes(pathToFileURL(join(installed, 'dist', 'fastBundle', 'runFastPath.js')).href), 'the installed fast-path bundle answered');
    assert.deepEqual(cached.loaded.filter((url) => /@oclif|@aws-sdk|@smithy|openpgp/.test(url)), []);
  });

  it('npx @awsvault/cli and npm exec --package @awsvault/cli -- vault fetch it from the registry and run it', async () => {
    // Another global prefix, so npm exec cannot use the global install above and must fetch the
    // package into its npx cache; the same npm cache as the install, so tarballs are not packed twice.
    const cwd = join(work, 'npx-cwd');
    mkdirSync(cwd);
    const env = { ...npmEnvironment, npm_config_prefix: join(work, 'npx-prefix') };
    const expected = `@awsvault/cli/${cliVersion()} ${process.platform}-${process.arch} node-${process.version}\n`;

    const exec = await runNpm(['exec', '--yes', '--package=@awsvault/cli', '--', 'vault', '--version'], env, cwd);
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout, expected);
    const npx = await runNpm(['exec', '--yes', '--', '@awsvault/cli', '--version'], env, cwd);
    assert.equal(npx.code, 0, npx.stderr);
    assert.equal(npx.stdout, expected);

    const npxRoot = join(npmEnvironment['npm_config_cache'] as string, '_npx');
    const installs = readdirSync(npxRoot).filter((hash) => existsSync(join(npxRoot, hash, 'node_modules', '@awsvault', 'cli', 'package.json')));
    assert.equal(installs.length, 1, 'npm exec installed @awsvault/cli in its npx cache');
    const npxCli = join(npxRoot, installs[0] as string, 'node_modules', '@awsvault', 'cli');

    // A cached export through npm exec answers from the npx copy's fast-path bundle.
    const trace = join(home.dir, 'trace-npx.txt');
    // vault's HOME and AWS settings, with npm's settings (its npmrc files, cache, registry, prefix).
    const vaultEnv = Object.fromEntries(Object.entries(home.env).filter(([key]) => !/^npm_/i.test(key)));
    const npmSettings = Object.fromEntries(Object.entries(env).filter(([key]) => /^npm_config_/i.test(key)));
    const exported = await runNpm(
      ['exec', '--yes', '--package=@awsvault/cli', '--', 'vault', 'export', '--format=json', 'dev'],
      { ...vaultEnv, ...npmSettings, NODE_OPTIONS: `--import=${pathToFileURL(tracer).href}`, VAULT_TRACE_IMPORTS: trace },
      cwd,
    );
    assert.equal(exported.code, 0, exported.stderr);
    assert.match((JSON.parse(exported.stdout) as { AccessKeyId: string }).AccessKeyId, /^ASIA/);
    const loaded = readFileSync(trace, 'utf8');
    assert.ok(loaded.includes(pathToFileURL(join(npxCli, 'dist', 'fastBundle', 'runFastPath.js')).href), 'the npx copy of the bundle ran');
    assert.doesNotMatch(loaded, /@oclif|@aws-sdk/, 'and answered: oclif was not loaded');
    assert.ok(dirname(npxCli).startsWith(npmEnvironment['npm_config_cache'] as string));
  });
});
