/**
 * openpgp (about 45 ms to import) must load only when an OpenPGP item is read or written. Each case
 * runs in a fresh node process under core's import tracer (every module resolved, ES or CommonJS), once
 * against this package's dist and once against the CLI's fast-path bundle (`npm run build`), whose
 * chunks run through the CLI's chunk loader.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileBackend } from './fileBackend.js';

const PASS = 'trace passphrase';
const OPENPGP_URL = /\/node_modules\/openpgp\//;
const tracer = fileURLToPath(import.meta.resolve('@awsvault/core/testing/traceImports'));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bundleDir = join(repoRoot, 'packages', 'cli', 'dist', 'fastBundle');

/** What the child does: open the backend as the CLI does, then read or write one item. */
const CHILD = `
const [moduleUrl, dir, action, key, format] = process.argv.slice(1);
// The CLI's chunks run through its chunk loader, as bin/run.js runs them.
const chunk = moduleUrl.startsWith('chunk:') ? moduleUrl.slice('chunk:'.length) : undefined;
const loader = chunk && (await import(${JSON.stringify(pathToFileURL(join(bundleDir, 'chunkLoader.js')).href)})).default;
// Resolved through Node's resolver, so the trace records the chunk.
const { createRequire } = await import('node:module');
const { openFileBackend } = chunk ? loader.createChunkLoader(undefined).load(createRequire(chunk).resolve(chunk)) : await import(moduleUrl);
const env = { AWS_VAULT_FILE_DIR: dir, AWS_VAULT_FILE_PASSPHRASE: ${JSON.stringify(PASS)} };
if (format) env.AWS_VAULT_FILE_FORMAT = format;
const backend = await openFileBackend({ env, homeDir: dir, debug() {}, askPassphrase: async () => { throw new Error('prompted'); } });
if (action === 'get') process.stdout.write(new TextDecoder().decode((await backend.get(key)).data));
else await backend.set({ key, data: new TextEncoder().encode('written') });
`;

interface Traced {
  code: number | null;
  stdout: string;
  stderr: string;
  resolved: string[];
}

async function traced(moduleUrl: string, dir: string, action: 'get' | 'set', key: string, format = ''): Promise<Traced> {
  const trace = join(dir, '..', `trace-${Math.random().toString(16).slice(2)}.txt`);
  await writeFile(trace, '');
  const child = spawn(process.execPath, ['--import', tracer, '--input-type=module', '-e', CHILD, moduleUrl, dir, action, key, format], {
    env: { ...process.env, VAULT_TRACE_IMPORTS: trace },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const resolved = (await readFile(trace, 'utf8')).split('\n').filter(Boolean);
  await rm(trace, { force: true });
  return { code, stdout, stderr, resolved };
}

/** The fast-path bundle's chunk that holds the file backend; fails (never skips) when it is missing or older than this code. */
function bundledFileBackend(): string {
  const hint = 'run `npm run build` at the repo root to build packages/cli/dist/fastBundle';
  assert.ok(existsSync(bundleDir), `no fast-path bundle at ${bundleDir}: ${hint}`);
  const chunks = readdirSync(bundleDir).filter((name) => /^fileBackend-[\w-]+\.js$/.test(name));
  assert.equal(chunks.length, 1, `expected one fileBackend chunk in ${bundleDir}, found ${chunks.join(', ') || 'none'}: ${hint}`);
  const path = join(bundleDir, chunks[0]!);
  assert.match(readFileSync(path, 'utf8'), /AWS_VAULT_FILE_FORMAT/, `${path} predates the OpenPGP format: ${hint}`);
  return `chunk:${path}`;
}

describe('openpgp loads lazily', () => {
  let root: string;
  let jweDir: string;
  let mixedDir: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'vault-file-lazy-'));
    jweDir = join(root, 'jwe');
    mixedDir = join(root, 'mixed');
    await new FileBackend({ dir: jweDir, passphrase: async () => PASS }).set({ key: 'dev', data: new TextEncoder().encode('jwe secret') });
    const mixed = (format: 'jwe' | 'openpgp') => new FileBackend({ dir: mixedDir, passphrase: async () => PASS, format, s2kCountByte: 0 });
    await mixed('openpgp').set({ key: 'pgp', data: new TextEncoder().encode('pgp secret') });
    await mixed('jwe').set({ key: 'jwe', data: new TextEncoder().encode('jwe secret') });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const targets: Array<[string, () => string]> = [
    ['this package (dist/fileBackend.js)', () => new URL('./fileBackend.js', import.meta.url).href],
    ['this package (dist/index.js)', () => new URL('./index.js', import.meta.url).href],
    ['the CLI fast-path bundle', bundledFileBackend],
  ];
  for (const [name, moduleUrl] of targets) {
    describe(name, () => {
      it('a JWE read does not resolve openpgp', async () => {
        const result = await traced(moduleUrl(), jweDir, 'get', 'dev');
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, 'jwe secret');
        assert.ok(result.resolved.some((url) => url.includes('fileBackend')), 'the trace saw the backend load');
        assert.deepEqual(result.resolved.filter((url) => OPENPGP_URL.test(url)), []);
      });

      it('a JWE write, even into a directory that also holds OpenPGP items, does not resolve openpgp', async () => {
        for (const dir of [jweDir, mixedDir]) {
          const result = await traced(moduleUrl(), dir, 'set', 'new-jwe');
          assert.equal(result.code, 0, result.stderr);
          assert.deepEqual(result.resolved.filter((url) => OPENPGP_URL.test(url)), [], dir);
        }
      });

      it('an OpenPGP read resolves openpgp', async () => {
        const result = await traced(moduleUrl(), mixedDir, 'get', 'pgp');
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, 'pgp secret');
        assert.ok(result.resolved.some((url) => OPENPGP_URL.test(url)), result.resolved.join('\n'));
      });

      it('an OpenPGP write resolves openpgp', async () => {
        const result = await traced(moduleUrl(), jweDir, 'set', 'new-pgp', 'openpgp');
        assert.equal(result.code, 0, result.stderr);
        assert.ok(result.resolved.some((url) => OPENPGP_URL.test(url)));
      });
    });
  }

  it('the bundle keeps openpgp external: no bundle file holds openpgp code, the backend chunk imports it dynamically', () => {
    const chunk = bundledFileBackend().slice('chunk:'.length);
    // In the chunks, import() is the chunk loader's __vaultImport (packages/cli/scripts/bundleFastPath.mjs).
    assert.match(readFileSync(chunk, 'utf8'), /\b__vaultImport\(\s*["']openpgp["']\s*\)/);
    for (const name of readdirSync(bundleDir).filter((file) => file.endsWith('.js'))) {
      assert.doesNotMatch(readFileSync(join(bundleDir, name), 'utf8'), /SymEncryptedIntegrityProtectedDataPacket|Modification detected/, name);
    }
  });
});
