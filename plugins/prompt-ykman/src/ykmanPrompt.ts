import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { findOnPath, formatPromptTimeout, lastLine, promptTimeoutMs, PROMPT_TIMEOUT_VARIABLE, requirePromptProgram, runPromptProgram, VaultError } from '@awsvault/core';
import type { PromptContext } from '@awsvault/core';

type Env = Readonly<Record<string, string | undefined>>;

/** How the ykman prompt may be tuned by a caller (the CLI passes none). @public */
export interface YkmanPromptOptions {
  /** How long to wait for ykman; default `VAULT_PROMPT_TIMEOUT`, else 120 s. */
  timeoutMs?: number;
  /**
   * Terminal device to give ykman instead of the controlling terminal (`/dev/tty`). A path that
   * cannot be opened or is not a terminal means "no terminal".
   */
  ttyPath?: string;
}

/** ykman 1 to 3 spell the command `oath code`; later versions `oath accounts code`. */
const LEGACY_VERSIONS = new Set(['1', '2', '3']);

/**
 * aws-vault's ykman command line, after the program name:
 * `[--device $YKMAN_OATH_DEVICE_SERIAL] oath accounts code --single <name>`, or `oath code` when
 * `AWS_VAULT_YKMAN_VERSION` is 1, 2 or 3. The OATH account name is `$YKMAN_OATH_CREDENTIAL_NAME`,
 * else the MFA serial.
 * @public
 */
export function ykmanArgs(mfaSerial: string, env: Env): string[] {
  const account = env['YKMAN_OATH_CREDENTIAL_NAME'] || mfaSerial;
  const device = env['YKMAN_OATH_DEVICE_SERIAL'];
  const legacy = LEGACY_VERSIONS.has((env['AWS_VAULT_YKMAN_VERSION'] ?? '').trim());
  return [...(device ? ['--device', device] : []), 'oath', ...(legacy ? ['code'] : ['accounts', 'code']), '--single', account];
}

/** Whether ykman is on the PATH of `ctx.env`. @public */
export function ykmanAvailable(ctx: Pick<PromptContext, 'env'>): boolean {
  return findOnPath('ykman', ctx.env) !== undefined;
}

interface Terminal {
  /** Read side, given to ykman as its stdin. */
  input: number;
  /** Write side, where ykman's stderr is copied. */
  output: number;
}

// O_NOCTTY: an explicit ttyPath must never become our controlling terminal.
const NO_CTTY = constants.O_NOCTTY ?? 0;

/** The controlling terminal (or `ttyPath`), opened for ykman; undefined when there is none. */
function openTerminal(ttyPath: string | undefined, isatty: (fd: number) => boolean): Terminal | undefined {
  const devices =
    ttyPath !== undefined
      ? { input: ttyPath, output: ttyPath }
      : process.platform === 'win32'
        ? { input: '\\\\.\\CONIN$', output: '\\\\.\\CONOUT$' }
        : { input: '/dev/tty', output: '/dev/tty' };
  let input: number | undefined;
  try {
    input = openSync(devices.input, constants.O_RDONLY | NO_CTTY);
    if (!isatty(input)) throw new Error('not a terminal');
    const output = openSync(devices.output, constants.O_WRONLY | NO_CTTY);
    return { input, output };
  } catch {
    if (input !== undefined) closeQuietly(input);
    return undefined;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

function writeAllQuietly(fd: number, bytes: Buffer): void {
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } catch {
    // the terminal went away; the text is still kept for the error message
  }
}

/**
 * Reads the current TOTP code of `mfaSerial` from a YubiKey with `ykman` and resolves it, trimmed.
 *
 * ykman's stdin is the controlling terminal and what it writes on stderr ("Touch your YubiKey...",
 * the OATH password question) is copied there as it comes, so the user sees it even when vault
 * runs as a `credential_process` with its own streams taken. Without a terminal ykman gets no stdin
 * and its stderr is copied to vault's stderr. stdout is never shown: it is the code.
 *
 * Errors are one-line `VaultError`s naming the device: `PROMPT_FAILED` with ykman's last stderr
 * line, `PROMPT_TIMEOUT`, `PROMPT_UNAVAILABLE` (ykman missing), `MFA_CODE_EMPTY`.
 * @public
 */
export async function ykmanPrompt(mfaSerial: string, ctx: PromptContext, options: YkmanPromptOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? promptTimeoutMs(ctx.env);
  const file = requirePromptProgram('ykman', mfaSerial, ctx.env);
  const args = ykmanArgs(mfaSerial, ctx.env);
  // Loaded here, not at the top: a bundle including this module must not load it at start.
  const { isatty } = await import('node:tty');
  const terminal = openTerminal(options.ttyPath, isatty);
  ctx.debug(`getting the MFA code of ${mfaSerial} from ${file} ${args.join(' ')} (${terminal ? 'on the terminal' : 'no terminal'})`);
  try {
    return await runPromptProgram({
      file,
      args,
      env: ctx.env,
      timeoutMs,
      ...(terminal ? { stdin: terminal.input } : {}),
      onStderr: (chunk) => {
        if (terminal) writeAllQuietly(terminal.output, chunk);
        else process.stderr.write(chunk);
      },
      errors: {
        timedOut: () =>
          new VaultError('PROMPT_TIMEOUT', `ykman gave no MFA code for ${mfaSerial} within ${formatPromptTimeout(timeoutMs)}`, {
            hint: `touch the YubiKey when it blinks, or set ${PROMPT_TIMEOUT_VARIABLE} to wait longer`,
          }),
        couldNotStart: (error) =>
          new VaultError('PROMPT_UNAVAILABLE', `cannot get the MFA code of ${mfaSerial}: ykman could not start: ${error.message}`, { cause: error }),
        noAnswer: () => new VaultError('MFA_CODE_EMPTY', `ykman printed no MFA code for ${mfaSerial}`),
        failed: ({ code, signal, stderr }) =>
          new VaultError('PROMPT_FAILED', `ykman could not give the MFA code for ${mfaSerial}: ${lastLine(stderr) ?? `exited with ${signal ?? `status ${code}`}`}`),
      },
    });
  } finally {
    if (terminal) {
      closeQuietly(terminal.input);
      closeQuietly(terminal.output);
    }
  }
}
