import { openSync, closeSync } from 'node:fs';
import type { ProfileConfig } from '../config/ProfileConfig.js';
import { VaultError } from '../errors.js';
import type { DebugLogger } from '../logger.js';
import type { MfaPrompt } from '../prompt.js';

/** Gives the MFA code for a serial on behalf of a profile. @public */
export type MfaCodeSource = (serial: string, profile: ProfileConfig) => Promise<string>;

/**
 * aws-vault's order: `--mfa-token`, then the profile's `mfa_process`, then the prompt. A code is
 * asked once per serial and process, so a chain that needs the same device twice prompts once.
 * @public
 */
export function mfaCodeSource(prompt: MfaPrompt, debug: DebugLogger): MfaCodeSource {
  const asked = new Map<string, Promise<string>>();
  return (serial, profile) => {
    const cached = asked.get(serial);
    if (cached) return cached;
    const code = profile.mfaToken
      ? Promise.resolve(profile.mfaToken)
      : profile.mfaProcess
        ? runMfaProcess(profile.mfaProcess, profile.name, debug)
        : prompt(serial);
    asked.set(serial, code);
    return code;
  };
}

/**
 * Runs `mfa_process` through the shell; stdout (trimmed) is the code. stdin and stderr go to the
 * controlling terminal when there is one, so `ykman` can ask for a touch under `credential_process`.
 */
export async function runMfaProcess(command: string, profileName: string, debug: DebugLogger): Promise<string> {
  debug(`profile ${profileName}: running mfa_process`);
  let tty: number | undefined;
  try {
    tty = openSync('/dev/tty', 'r+');
  } catch {
    tty = undefined;
  }
  const shell = process.platform === 'win32' ? { file: process.env['ComSpec'] ?? 'cmd.exe', args: ['/d', '/s', '/c', command] } : { file: '/bin/sh', args: ['-c', command] };
  // Loaded here, not at the top: a cached `vault export` never spawns anything.
  const { spawn } = await import('node:child_process');
  try {
    return await new Promise<string>((resolve, reject) => {
      const child = spawn(shell.file, shell.args, { stdio: [tty ?? 'ignore', 'pipe', tty ?? 'inherit'], windowsVerbatimArguments: true });
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('error', (error) => reject(new VaultError('MFA_PROCESS_FAILED', `profile ${profileName}: mfa_process could not start: ${error.message}`)));
      child.on('close', (code, signal) => {
        if (code === 0 && out.trim() !== '') resolve(out.trim());
        else if (code === 0) reject(new VaultError('MFA_PROCESS_FAILED', `profile ${profileName}: mfa_process printed no code`));
        else reject(new VaultError('MFA_PROCESS_FAILED', `profile ${profileName}: mfa_process exited with ${signal ?? `code ${code}`}`, { hint: 'run the mfa_process command by hand to see its error' }));
      });
    });
  } finally {
    if (tty !== undefined) closeSync(tty);
  }
}
