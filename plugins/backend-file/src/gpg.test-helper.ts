/**
 * Runs the real gpg for the interop tests, each test group in its own throw-away GNUPGHOME whose
 * gpg-agent is stopped afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `command` with `input` on stdin; never rejects for a non-zero exit. */
export function runTool(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string | Uint8Array): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') }));
    child.stdin.end(input ?? '');
  });
}

export interface GpgHome {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** `gpg --decrypt` of a file, the passphrase on fd 0. */
  decrypt(file: string, passphrase: string): Promise<ToolResult>;
  /** `gpg --symmetric` of `plaintext` to `out` (binary unless `armor`), the passphrase on fd 0. */
  symmetric(plaintext: string, out: string, passphrase: string, extra?: readonly string[]): Promise<ToolResult>;
  close(): Promise<void>;
}

export async function gpgHome(): Promise<GpgHome> {
  // Short path: gpg-agent's socket lives in GNUPGHOME.
  const dir = await mkdtemp(join(tmpdir(), 'vgpg-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, GNUPGHOME: dir, LC_ALL: 'C' };
  const base = ['--batch', '--quiet', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--no-symkey-cache'];
  return {
    dir,
    env,
    decrypt: (file, passphrase) => runTool('gpg', [...base, '--decrypt', file], env, `${passphrase}\n`),
    symmetric: async (plaintext, out, passphrase, extra = []) => {
      const input = join(dir, `plain-${Math.random().toString(16).slice(2)}`);
      await writeFile(input, plaintext, { mode: 0o600 });
      try {
        return await runTool('gpg', [...base, ...extra, '--output', out, '--symmetric', input], env, `${passphrase}\n`);
      } finally {
        await rm(input, { force: true });
      }
    },
    close: async () => {
      await runTool('gpgconf', ['--kill', 'gpg-agent'], env).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
