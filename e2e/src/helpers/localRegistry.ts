/**
 * A small npm registry on 127.0.0.1, for installing plugins the way users do without the internet.
 *
 * It answers the two requests `npm view` and `npm install` make:
 * - `GET /<name>` (scoped names arrive as `@scope%2fname`): the packument, i.e.
 *   `{ name, dist-tags: { latest }, versions: { <v>: package.json + dist } }`, or a 404 JSON body;
 * - `GET /<name>/-/<file>.tgz`: a tarball.
 *
 * Packages come from two places. `publish(folder)` runs `npm pack` on a package folder, as a
 * maintainer would before `npm publish`. `mirror` names `node_modules` directories whose installed
 * packages are served too (packed here, on first request), so that the dependencies of a published
 * package (the AWS SDK under `@awsvault/core`) resolve without any other registry. Symlinked entries
 * (workspace packages) are never mirrored: ours are served only when published.
 *
 * Every request is recorded, so tests can say which names npm asked for.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './paths.js';

export interface RecordedRequest {
  method: string;
  /** The path as it arrived, e.g. `/@awsvault%2fplugin-x`. */
  url: string;
  /** The package a packument or tarball request was for (decoded), if any. */
  name?: string;
  kind: 'packument' | 'tarball' | 'other';
  status: number;
}

export interface PublishedPackage {
  name: string;
  version: string;
  tarballUrl: string;
}

export interface LocalRegistry {
  /** `http://127.0.0.1:<port>`, for `--registry` / `VAULT_NPM_REGISTRY`. */
  url: string;
  requests: RecordedRequest[];
  /** `npm pack`s the package folder (which must hold whatever its `files` list) and serves it. */
  publish(folder: string): Promise<PublishedPackage>;
  /** Names whose packument was asked for, with the status given, in order. */
  packumentRequests(): Array<{ name: string; status: number }>;
  close(): Promise<void>;
}

export interface LocalRegistryOptions {
  /** `node_modules` directories whose installed packages are served as well. */
  mirror?: string[];
}

type Manifest = Record<string, unknown> & { name: string; version: string };

interface Version {
  manifest: Manifest;
  /** The tarball, or how to make it on first use. */
  tarball: Buffer | (() => Buffer);
}

/** An environment for running npm here: none of an outer `npm run`'s settings, no update check. */
export function npmEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

export async function startLocalRegistry(options: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const work = mkdtempSync(join(tmpdir(), 'vault-registry-'));
  const packages = new Map<string, Map<string, Version>>();
  const tarballs = new Map<string, { name: string; version: string }>();
  const requests: RecordedRequest[] = [];
  let base = '';

  const tarballPath = (name: string, version: string) => `/${name}/-/${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
  const add = (manifest: Manifest, tarball: Version['tarball']) => {
    let versions = packages.get(manifest.name);
    if (!versions) packages.set(manifest.name, (versions = new Map()));
    versions.set(manifest.version, { manifest, tarball });
    tarballs.set(tarballPath(manifest.name, manifest.version), { name: manifest.name, version: manifest.version });
  };

  for (const dir of options.mirror ?? []) {
    for (const { manifest, dir: packageDir } of installedPackages(dir)) {
      if (!packages.get(manifest.name)?.has(manifest.version)) add(manifest, () => packDirectory(packageDir));
    }
  }

  const bytesOf = (version: Version): Buffer => {
    if (typeof version.tarball === 'function') version.tarball = version.tarball();
    return version.tarball;
  };

  const packument = (name: string, versions: Map<string, Version>) => {
    const entries: Record<string, unknown> = {};
    for (const [v, version] of versions) {
      const bytes = bytesOf(version);
      entries[v] = {
        ...version.manifest,
        _id: `${name}@${v}`,
        dist: {
          tarball: `${base}${tarballPath(name, v)}`,
          shasum: createHash('sha1').update(bytes).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
        },
      };
    }
    const latest = [...versions.keys()].sort(compareVersions).at(-1) as string;
    return { _id: name, name, 'dist-tags': { latest }, versions: entries };
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const record = (kind: RecordedRequest['kind'], status: number, name?: string) =>
      requests.push({ method: req.method ?? 'GET', url, kind, status, ...(name === undefined ? {} : { name }) });
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    let path: string;
    try {
      path = decodeURIComponent(new URL(url, 'http://registry').pathname);
    } catch {
      record('other', 400);
      return json(400, { error: 'bad path' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      record('other', 405);
      return json(405, { error: 'this registry is read-only' });
    }
    const file = tarballs.get(path);
    if (file) {
      const version = packages.get(file.name)?.get(file.version);
      const bytes = version ? bytesOf(version) : undefined;
      if (bytes) {
        record('tarball', 200, file.name);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
        res.end(req.method === 'HEAD' ? undefined : bytes);
        return;
      }
    }
    const name = path.slice(1);
    if (/^(@[^/@]+\/)?[^/@.][^/@]*$/.test(name)) {
      const versions = packages.get(name);
      if (versions) {
        record('packument', 200, name);
        return json(200, packument(name, versions));
      }
      record('packument', 404, name);
      return json(404, { error: 'Not found' });
    }
    record('other', 404);
    return json(404, { error: 'Not found' });
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(error) }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    requests,
    async publish(folder) {
      const out = mkdtempSync(join(work, 'pack-'));
      // The npm the CLI's plugin-plugins runs (a dependency of this checkout), else the one on PATH.
      const npmCli = join(repoRoot, 'node_modules', 'npm', 'bin', 'npm-cli.js');
      const [command, ...prefix] = existsSync(npmCli) ? [process.execPath, npmCli] : ['npm'];
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          command as string,
          [...prefix, 'pack', folder, '--json', '--ignore-scripts', '--pack-destination', out],
          { cwd: out, env: npmEnv({ npm_config_cache: join(work, 'npm-cache'), npm_config_offline: 'true' }), timeout: 60_000 },
          (error, text, stderr) => (error ? reject(new Error(`npm pack ${folder} failed: ${error.message}\n${stderr}`)) : resolve(text)),
        );
      });
      const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
      if (!packed) throw new Error(`npm pack ${folder} printed nothing`);
      const tarball = readFileSync(join(out, packed.filename));
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;
      add(manifest, tarball);
      return { name: manifest.name, version: manifest.version, tarballUrl: `${base}${tarballPath(manifest.name, manifest.version)}` };
    },
    packumentRequests: () => requests.filter((r) => r.kind === 'packument').map((r) => ({ name: r.name as string, status: r.status })),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Every real (not symlinked) package under a `node_modules` directory, nested ones included. */
function installedPackages(nodeModules: string): Array<{ manifest: Manifest; dir: string }> {
  const found: Array<{ manifest: Manifest; dir: string }> = [];
  const visit = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      const path = join(dir, entry);
      if (entry.startsWith('@')) {
        visit(path);
        continue;
      }
      if (lstatSync(path).isSymbolicLink() || !lstatSync(path).isDirectory()) continue;
      try {
        const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as Manifest;
        if (typeof manifest.name === 'string' && typeof manifest.version === 'string') {
          // npm's own bookkeeping fields (`_resolved`, `_integrity`...) are not part of a manifest.
          for (const key of Object.keys(manifest)) if (key.startsWith('_')) delete manifest[key];
          found.push({ manifest, dir: path });
        }
      } catch {
        // not a package
      }
      visit(join(path, 'node_modules'));
    }
  };
  visit(nodeModules);
  return found;
}

/** Dotted release versions in order (pre-releases are not expected here). */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split(/[.+-]/).map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * A gzipped tar of an installed package directory, as `npm pack` lays it out (`package/...`):
 * regular files only, nested `node_modules` left out. ustar headers, with a pax `path` record for
 * names too long for them.
 */
function packDirectory(dir: string): Buffer {
  const blocks: Buffer[] = [];
  const walk = (abs: string, rel: string) => {
    for (const entry of readdirSync(abs).sort()) {
      const path = join(abs, entry);
      const name = `${rel}/${entry}`;
      const stat = lstatSync(path);
      if (stat.isDirectory()) {
        if (entry !== 'node_modules') walk(path, name);
      } else if (stat.isFile()) {
        const data = readFileSync(path);
        blocks.push(...tarEntry(name, data, stat.mode & 0o111 ? 0o755 : 0o644));
      }
    }
  };
  walk(dir, 'package');
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks), { level: 1 });
}

const MTIME = Math.floor(Date.UTC(1985, 9, 26, 8, 15) / 1000); // fixed, as npm pack does

function tarEntry(name: string, data: Buffer, mode: number): Buffer[] {
  const entries: Buffer[] = [];
  let headerName = name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 1);
    const candidatePrefix = name.slice(0, cut);
    const candidateName = name.slice(cut + 1);
    if (cut > 0 && Buffer.byteLength(candidatePrefix) <= 155 && Buffer.byteLength(candidateName) <= 100) {
      prefix = candidatePrefix;
      headerName = candidateName;
    } else {
      // pax extended header: "<len> path=<name>\n", where <len> counts itself
      const body = ` path=${name}\n`;
      let length = Buffer.byteLength(body) + 1;
      while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
      const record = Buffer.from(`${length}${body}`);
      entries.push(tarHeader('PaxHeader', record.length, 0o644, 'x', ''), pad(record));
      headerName = candidateName.slice(0, 100);
    }
  }
  entries.push(tarHeader(headerName, data.length, mode, '0', prefix), pad(data));
  return entries;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

function tarHeader(name: string, size: number, mode: number, type: string, prefix: string): Buffer {
  const header = Buffer.alloc(512);
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, '0')}\0`;
  header.write(name, 0, 100, 'utf8');
  header.write(octal(mode, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii'); // uid
  header.write(octal(0, 8), 116, 'ascii'); // gid
  header.write(octal(size, 12), 124, 'ascii');
  header.write(octal(MTIME, 12), 136, 'ascii');
  header.fill(' ', 148, 156); // checksum field counts as spaces while summing
  header.write(type, 156, 'ascii');
  header.write('ustar\u000000', 257, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

