import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileBackend } from './fileBackend.js';
import { isTempFileName } from './fileName.js';

const PASS = 'atomic passphrase';
const KEYS = ['k0', 'k1', 'team/k2', 'k3', 'k4'];
const ROUNDS = 20;

/** Writes items in a tight loop forever, printing one byte per completed write. */
const CHILD = `
const { FileBackend } = await import(process.env.VAULT_TEST_MODULE);
const backend = new FileBackend({ dir: process.env.VAULT_TEST_DIR, passphrase: async () => process.env.VAULT_TEST_PASS });
const keys = JSON.parse(process.env.VAULT_TEST_KEYS);
const pad = 'x'.repeat(48 * 1024);
process.stdout.write('R');
for (let n = 0; ; n++) {
  const key = keys[n % keys.length];
  const body = JSON.stringify({ key, n, pid: process.pid, pad });
  await backend.set({ key, data: new TextEncoder().encode(body), label: 'round ' + n });
  process.stdout.write('.');
}
`;

const roots: string[] = [];
after(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spawns a writer, lets it run for a random moment after it is ready, SIGKILLs it; resolves to completed writes. */
function killedWriter(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: {
        ...process.env,
        VAULT_TEST_MODULE: new URL('./fileBackend.js', import.meta.url).href,
        VAULT_TEST_DIR: dir,
        VAULT_TEST_PASS: PASS,
        VAULT_TEST_KEYS: JSON.stringify(KEYS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let writes = 0;
    let scheduled = false;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const out = chunk.toString();
      writes += out.split('.').length - 1;
      if (!scheduled && out.includes('R')) {
        scheduled = true;
        setTimeout(() => child.kill('SIGKILL'), 5 + Math.random() * 60);
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}/${signal}: ${stderr}`));
      else resolve(writes);
    });
  });
}

describe('file backend: atomic writes', () => {
  it(`leaves the old or the new item when a writer is SIGKILLed (${ROUNDS} kills)`, { timeout: 30_000 }, async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'vault-file-atomic-'));
    roots.push(root);
    const dir = join(root, 'keys');
    const seed = new FileBackend({ dir, passphrase: async () => PASS });
    for (const key of KEYS) await seed.set({ key, data: new TextEncoder().encode(JSON.stringify({ key, n: -1, pid: 0, pad: '' })) });

    const started = performance.now();
    let totalWrites = 0;
    for (let round = 0; round < ROUNDS; round++) {
      totalWrites += await killedWriter(dir);
      await sleep(Math.random() * 5);
    }
    const elapsed = performance.now() - started;
    assert.ok(totalWrites > ROUNDS, `writers made progress (${totalWrites} writes)`);
    assert.ok(elapsed < 10_000, `bounded: ${Math.round(elapsed)} ms`);

    const reader = new FileBackend({ dir, passphrase: async () => PASS });
    const keys = await reader.keys();
    assert.deepEqual([...keys].sort(), [...KEYS].sort(), 'exactly the items, no temp files');
    for (const key of keys) {
      const item = await reader.get(key);
      const body = JSON.parse(new TextDecoder().decode(item.data)) as { key: string; n: number };
      assert.equal(body.key, key);
      assert.ok(Number.isInteger(body.n));
    }
    const names = await readdir(dir);
    const leftovers = names.filter(isTempFileName);
    assert.equal(names.length - leftovers.length, KEYS.length);
    // A later write still works (and passes the passphrase check) with leftovers present.
    await reader.set({ key: 'k0', data: new TextEncoder().encode('{"key":"k0","n":0}') });
    t.diagnostic(`atomicity: ${ROUNDS} kills, ${totalWrites} completed writes, ${leftovers.length} abandoned temp files, ${Math.round(elapsed)} ms`);
  });
});
