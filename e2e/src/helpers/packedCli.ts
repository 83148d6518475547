/**
 * The CLI as users get it from npm: which workspace folders make up `@awsvault/cli` on the
 * registry, what their tarballs hold, and npm runs that see nothing of this machine's npm setup.
 *
 * Used with `localRegistry.ts`: the folders are `npm pack`ed and served on loopback, then installed
 * with `npm i -g --prefix <temp>` or run with `npm exec`, so the test sees exactly what a release
 * would ship, from outside the checkout.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { npmEnv } from './localRegistry.js';
import { repoRoot } from './paths.js';
import type { RunResult } from './run.js';

export interface WorkspacePackage {
  name: string;
  version: string;
  /** The package folder in this checkout. */
  folder: string;
  /** Its package.json as it is in the checkout. */
  manifest: PackageJson;
}

export interface PackageJson {
  name: string;
  version: string;
  bin?: Record<string, string>;
  files?: string[];
  exports?: Record<string, unknown>;
  engines?: Record<string, string>;
  keywords?: string[];
  repository?: { type?: string; url?: string; directory?: string };
  publishConfig?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  oclif?: { plugins?: string[]; hooks?: Record<string, string | string[]>; commands?: string; bin?: string };
  [key: string]: unknown;
}

/** Every workspace package under packages/ and plugins/, by name. */
export function workspacePackages(): Map<string, WorkspacePackage> {
  const found = new Map<string, WorkspacePackage>();
  for (const group of ['packages', 'plugins']) {
    for (const entry of readdirSync(join(repoRoot, group))) {
      const folder = join(repoRoot, group, entry);
      const file = join(folder, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
      found.set(manifest.name, { name: manifest.name, version: manifest.version, folder, manifest });
    }
  }
  return found;
}

/**
 * What `npm i @awsvault/cli` needs from us: the CLI, core, and every plugin the CLI bundles (its
 * `oclif.plugins` under @awsvault). Throws if one of them is not a workspace package.
 */
export function cliReleasePackages(): WorkspacePackage[] {
  const all = workspacePackages();
  const cli = all.get('@awsvault/cli');
  if (!cli) throw new Error('no @awsvault/cli workspace package');
  const names = ['@awsvault/cli', '@awsvault/core', ...(cli.manifest.oclif?.plugins ?? []).filter((name) => name.startsWith('@awsvault/'))];
  return names.map((name) => {
    const found = all.get(name);
    if (!found) throw new Error(`${name} is bundled by @awsvault/cli but is not a workspace package`);
    return found;
  });
}

export interface TarEntry {
  /** The path inside the tarball, `package/...` for npm tarballs. */
  path: string;
  type: 'file' | 'directory' | 'other';
  mode: number;
  data: Buffer;
}

/** The entries of a gzipped tar (ustar, with pax `path` records and GNU long names). */
export function readTarball(gzipped: Buffer): TarEntry[] {
  const tar = gunzipSync(gzipped);
  const entries: TarEntry[] = [];
  const text = (from: number, length: number) => {
    const bytes = tar.subarray(from, from + length);
    const end = bytes.indexOf(0);
    return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
  };
  let longName: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    if (tar.subarray(offset, offset + 512).every((byte) => byte === 0)) break;
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = text(offset + 156, 1) || '0';
    const prefix = text(offset + 345, 155);
    const name = text(offset, 100);
    const mode = Number.parseInt(text(offset + 100, 8).trim() || '0', 8);
    const data = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
      if (path !== undefined) longName = path;
      continue;
    }
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'g') continue;
    const path = longName ?? (prefix ? `${prefix}/${name}` : name);
    longName = undefined;
    entries.push({
      path,
      type: type === '0' ? 'file' : type === '5' ? 'directory' : 'other',
      mode,
      data: Buffer.from(data),
    });
  }
  return entries;
}

/** The npm this checkout depends on (the one its plugin-plugins runs), else the one on PATH. */
export function npmCommand(): [string, ...string[]] {
  const npmCli = join(repoRoot, 'node_modules', 'npm', 'bin', 'npm-cli.js');
  return existsSync(npmCli) ? [process.execPath, npmCli] : ['npm'];
}

/**
 * An environment in which npm reads no user or global npmrc of this machine, keeps its cache under
 * `dir`, and knows of one registry, `registry`: a stray request elsewhere would fail, not succeed.
 */
export function isolatedNpmEnv(dir: string, registry: string, extra: Record<string, string> = {}): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const userConfig = join(dir, 'user.npmrc');
  const globalConfig = join(dir, 'global.npmrc');
  writeFileSync(userConfig, `registry=${registry}/\n`);
  writeFileSync(globalConfig, '');
  return npmEnv({
    HOME: dir,
    npm_config_userconfig: userConfig,
    npm_config_globalconfig: globalConfig,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_registry: `${registry}/`,
    npm_config_loglevel: 'warn',
    npm_config_progress: 'false',
    ...extra,
  });
}

/**
 * Runs npm asynchronously (the registry answers from this process, so a synchronous spawn would
 * deadlock), killed after `timeoutMs`.
 */
export function runNpm(args: string[], env: Record<string, string>, cwd: string, timeoutMs = 60_000): Promise<RunResult> {
  const [command, ...prefix] = npmCommand();
  return new Promise((resolve) => {
    execFile(command, [...prefix, ...args], { env, cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      const failure = error as (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals }) | null;
      resolve({
        code: failure ? (typeof failure.code === 'number' ? failure.code : 1) : 0,
        signal: failure?.signal ?? null,
        stdout: String(stdout),
        stderr: String(stderr),
      });
    });
  });
}
