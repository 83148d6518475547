/**
 * The real `WincredOs`: Windows PowerShell calling advapi32's CredReadW, CredWriteW, CredDeleteW and
 * CredEnumerateW through a small C# class compiled by `Add-Type`. No native Node module is needed,
 * and nothing secret is ever on a command line.
 *
 * The exchange, over the standard streams of `powershell.exe -NoProfile -NonInteractive -Command -`:
 *
 * 1. vault writes the script (`wincredScript()`, the same text for every call: it never contains a
 *    key, a target name or data). PowerShell runs it line by line as it reads it.
 * 2. The script's last line prints `AWSVAULT-WINCRED-READY` (put together at run time, so that a
 *    host echoing its input cannot print it early) and then reads one more line from
 *    standard input itself. vault writes the request line only after it has seen that marker, so
 *    the host cannot have read the request as a command, whichever way it buffers its input.
 * 3. The request line is base64 of a UTF-8 JSON object `{"op","target","blob"}` whose strings are
 *    base64 too (target: UTF-8 text; blob: the bytes). The script answers with one line:
 *    `AWSVAULT-WINCRED-RESPONSE {"ok":true,"credentials":[…]}` or
 *    `AWSVAULT-WINCRED-RESPONSE {"ok":false,"error":<Windows error>,"message":"<base64>"}`;
 *    every string in it is base64, so both directions are plain ASCII whatever the console code page.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { win32 } from 'node:path';
import { Win32Error } from './wincredOs.js';
import type { WincredCredential, WincredOs } from './wincredOs.js';

/** Printed by the script when it waits for the request line. @public */
export const READY_MARKER = 'AWSVAULT-WINCRED-READY';
/** Starts the script's answer line. @public */
export const RESPONSE_MARKER = 'AWSVAULT-WINCRED-RESPONSE ';
/** Arguments of powershell.exe: read the script from standard input, no profile, no prompts. @public */
export const POWERSHELL_ARGS: readonly string[] = ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '-'];
/** Default limit on one PowerShell run (start-up and the C# compilation take about a second). @public */
export const DEFAULT_POWERSHELL_TIMEOUT_MS = 60_000;

/**
 * The C# class. One line (the host runs the script line by line), no single quotes (it sits in a
 * PowerShell single-quoted string), C# 5 (what Windows PowerShell 5.1 compiles). Strings in its JSON
 * are base64, so it needs no JSON escaping.
 */
const CSHARP = [
  'using System; using System.ComponentModel; using System.Runtime.InteropServices; using System.Text;',
  'public static class AwsVaultWincred {',
  '[StructLayout(LayoutKind.Sequential)] public struct Credential {',
  'public uint Flags; public uint Type; public IntPtr TargetName; public IntPtr Comment;',
  'public uint LastWrittenLow; public uint LastWrittenHigh; public uint CredentialBlobSize; public IntPtr CredentialBlob;',
  'public uint Persist; public uint AttributeCount; public IntPtr Attributes; public IntPtr TargetAlias; public IntPtr UserName; }',
  '[DllImport("advapi32.dll", EntryPoint = "CredReadW", CharSet = CharSet.Unicode, SetLastError = true)]',
  'private static extern bool CredRead(string target, uint type, uint flags, out IntPtr credential);',
  '[DllImport("advapi32.dll", EntryPoint = "CredWriteW", CharSet = CharSet.Unicode, SetLastError = true)]',
  'private static extern bool CredWrite(ref Credential credential, uint flags);',
  '[DllImport("advapi32.dll", EntryPoint = "CredDeleteW", CharSet = CharSet.Unicode, SetLastError = true)]',
  'private static extern bool CredDelete(string target, uint type, uint flags);',
  '[DllImport("advapi32.dll", EntryPoint = "CredEnumerateW", CharSet = CharSet.Unicode, SetLastError = true)]',
  'private static extern bool CredEnumerate(string filter, uint flags, out uint count, out IntPtr credentials);',
  '[DllImport("advapi32.dll")] private static extern void CredFree(IntPtr buffer);',
  'private static string Text(string base64) { return Encoding.UTF8.GetString(Convert.FromBase64String(base64)); }',
  'private static string Base64(string text) { return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)); }',
  'private static string Failure(int code) { return "{\\"ok\\":false,\\"error\\":" + code + ",\\"message\\":\\"" + Base64(new Win32Exception(code).Message) + "\\"}"; }',
  'private static string Describe(IntPtr pointer, bool withBlob) {',
  'Credential credential = (Credential)Marshal.PtrToStructure(pointer, typeof(Credential));',
  'ulong written = ((ulong)credential.LastWrittenHigh << 32) | credential.LastWrittenLow;',
  'StringBuilder json = new StringBuilder();',
  'json.Append("{\\"type\\":").Append(credential.Type);',
  'json.Append(",\\"target\\":\\"").Append(Base64(Marshal.PtrToStringUni(credential.TargetName))).Append("\\"");',
  'json.Append(",\\"lastWritten\\":\\"").Append(written).Append("\\"");',
  'if (withBlob) { byte[] blob = new byte[credential.CredentialBlobSize];',
  'if (blob.Length > 0) { Marshal.Copy(credential.CredentialBlob, blob, 0, blob.Length); }',
  'json.Append(",\\"blob\\":\\"").Append(Convert.ToBase64String(blob)).Append("\\""); }',
  'return json.Append("}").ToString(); }',
  'public static string Handle(string operation, string target, string blob) {',
  'try {',
  'if (operation == "read" || operation == "stat") { IntPtr pointer;',
  'if (!CredRead(Text(target), 1, 0, out pointer)) { return Failure(Marshal.GetLastWin32Error()); }',
  'try { return "{\\"ok\\":true,\\"credentials\\":[" + Describe(pointer, operation == "read") + "]}"; } finally { CredFree(pointer); } }',
  'if (operation == "write") { byte[] data = Convert.FromBase64String(blob); Credential credential = new Credential();',
  'credential.Type = 1; credential.Persist = 2; credential.CredentialBlobSize = (uint)data.Length;',
  'credential.TargetName = Marshal.StringToCoTaskMemUni(Text(target));',
  'credential.CredentialBlob = data.Length > 0 ? Marshal.AllocCoTaskMem(data.Length) : IntPtr.Zero;',
  'try { if (data.Length > 0) { Marshal.Copy(data, 0, credential.CredentialBlob, data.Length); }',
  'if (!CredWrite(ref credential, 0)) { return Failure(Marshal.GetLastWin32Error()); } return "{\\"ok\\":true}"; }',
  'finally { if (data.Length > 0) { Marshal.Copy(new byte[data.Length], 0, credential.CredentialBlob, data.Length); Marshal.FreeCoTaskMem(credential.CredentialBlob); }',
  'Marshal.FreeCoTaskMem(credential.TargetName); } }',
  'if (operation == "delete") { if (!CredDelete(Text(target), 1, 0)) { return Failure(Marshal.GetLastWin32Error()); } return "{\\"ok\\":true}"; }',
  'if (operation == "enumerate") { uint count; IntPtr list;',
  'if (!CredEnumerate(Text(target), 0, out count, out list)) { return Failure(Marshal.GetLastWin32Error()); }',
  'try { StringBuilder json = new StringBuilder("{\\"ok\\":true,\\"credentials\\":[");',
  'for (int i = 0; i < count; i++) { if (i > 0) { json.Append(","); } json.Append(Describe(Marshal.ReadIntPtr(list, i * IntPtr.Size), false)); }',
  'return json.Append("]}").ToString(); } finally { CredFree(list); } }',
  'return Failure(87);',
  '} catch (Exception error) { return "{\\"ok\\":false,\\"error\\":-1,\\"message\\":\\"" + Base64(error.GetType().Name + ": " + error.Message) + "\\"}"; }',
  '} }',
].join(' ');

const SCRIPT_LINES = [
  "$ErrorActionPreference = 'Stop'",
  `Add-Type -TypeDefinition '${CSHARP}'`,
  [
    // The markers are put together at run time: a host that echoed its input would otherwise print them early.
    `[Console]::Out.Write('${READY_MARKER.slice(0, 10)}' + '${READY_MARKER.slice(10)}' + [char]10)`,
    '[Console]::Out.Flush()',
    '$awsVaultRequest = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Console]::In.ReadLine())) | ConvertFrom-Json',
    `[Console]::Out.Write('${RESPONSE_MARKER.slice(0, 10)}' + '${RESPONSE_MARKER.slice(10)}' + [AwsVaultWincred]::Handle([string]$awsVaultRequest.op, [string]$awsVaultRequest.target, [string]$awsVaultRequest.blob) + [char]10)`,
    '[Console]::Out.Flush()',
  ].join('; '),
];

/**
 * The PowerShell script, identical for every call: keys, target names and data reach it only as
 * the JSON request line it reads from standard input.
 * @public
 */
export function wincredScript(): string {
  return `${SCRIPT_LINES.join('\n')}\n`;
}

/** What the script does. `stat` is `read` without the blob. @public */
export type WincredOperation = 'read' | 'stat' | 'write' | 'delete' | 'enumerate';

/** One request: `target` is the target name, or the filter for `enumerate`. @public */
export interface WincredRequest {
  op: WincredOperation;
  target: string;
  blob?: Uint8Array;
}

/** The script's answer. @public */
export type WincredResponse = { ok: true; credentials: WincredCredential[] } | { ok: false; error: number; message: string };

const b64 = (bytes: Uint8Array | string): string => (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)).toString('base64');

/** The request line (without newline): base64 of the JSON request, whose strings are base64. @public */
export function encodeRequest(request: WincredRequest): string {
  const json: Record<string, string> = { op: request.op, target: b64(request.target) };
  if (request.blob !== undefined) json['blob'] = b64(request.blob);
  return b64(JSON.stringify(json));
}

/** The inverse of `encodeRequest` (what the script does with the line). @public */
export function decodeRequest(line: string): WincredRequest {
  const json = JSON.parse(Buffer.from(line, 'base64').toString('utf8')) as { op: WincredOperation; target: string; blob?: string };
  const request: WincredRequest = { op: json.op, target: Buffer.from(json.target, 'base64').toString('utf8') };
  if (typeof json.blob === 'string') request.blob = new Uint8Array(Buffer.from(json.blob, 'base64'));
  return request;
}

/** An answer that is missing or not in the protocol's shape. @public */
export class WincredProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WincredProtocolError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const FILETIME_UNIX_EPOCH_MS = 11_644_473_600_000n;

/** A FILETIME (100 ns since 1601-01-01 UTC, as a decimal string) as a Date; undefined for 0 or nonsense. @public */
export function fileTimeToDate(fileTime: string): Date | undefined {
  if (!/^\d{1,20}$/.test(fileTime) || /^0+$/.test(fileTime)) return undefined;
  const ms = BigInt(fileTime) / 10_000n - FILETIME_UNIX_EPOCH_MS;
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function base64Field(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new WincredProtocolError(`${what} is not base64`);
  return Buffer.from(value, 'base64');
}

/**
 * Finds the answer line in PowerShell's stdout and checks its shape. Throws `WincredProtocolError`
 * when there is none (PowerShell failed before answering) or it is malformed.
 * @public
 */
export function parseResponse(stdout: string): WincredResponse {
  const at = stdout.lastIndexOf(RESPONSE_MARKER);
  if (at < 0) throw new WincredProtocolError('PowerShell gave no answer');
  const line = stdout.slice(at + RESPONSE_MARKER.length).split(/\r?\n/)[0] ?? '';
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new WincredProtocolError('the answer is not JSON');
  }
  if (typeof json !== 'object' || json === null) throw new WincredProtocolError('the answer is not an object');
  const answer = json as Record<string, unknown>;
  if (answer['ok'] === false) {
    if (typeof answer['error'] !== 'number' || !Number.isInteger(answer['error'])) throw new WincredProtocolError('the error code is not an integer');
    return { ok: false, error: answer['error'], message: base64Field(answer['message'] ?? '', 'the error message').toString('utf8') };
  }
  if (answer['ok'] !== true) throw new WincredProtocolError('the answer has no "ok"');
  const list = answer['credentials'] ?? [];
  if (!Array.isArray(list)) throw new WincredProtocolError('"credentials" is not an array');
  const credentials = list.map((entry: unknown): WincredCredential => {
    if (typeof entry !== 'object' || entry === null) throw new WincredProtocolError('a credential is not an object');
    const fields = entry as Record<string, unknown>;
    if (typeof fields['type'] !== 'number') throw new WincredProtocolError('a credential has no type');
    const credential: WincredCredential = { type: fields['type'], targetName: base64Field(fields['target'], 'a target name').toString('utf8') };
    if (fields['blob'] !== undefined) credential.blob = new Uint8Array(base64Field(fields['blob'], 'a blob'));
    const written = typeof fields['lastWritten'] === 'string' ? fileTimeToDate(fields['lastWritten']) : undefined;
    if (written !== undefined) credential.lastWritten = written;
    return credential;
  });
  return { ok: true, credentials };
}

/** `%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe` (never looked up on PATH). @public */
export function powershellPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const root = env['SystemRoot'] ?? env['SYSTEMROOT'] ?? 'C:\\Windows';
  return win32.join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
}

/** True on Windows with Windows PowerShell present. Never throws. @public */
export async function isWincredAvailable(platform: NodeJS.Platform = process.platform, env: Readonly<Record<string, string | undefined>> = process.env): Promise<boolean> {
  if (platform !== 'win32') return false;
  try {
    await access(powershellPath(env), constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** @public */
export interface PowershellWincredOptions {
  /** Default Windows PowerShell; tests pass a stand-in. */
  executable?: string;
  /** Default `POWERSHELL_ARGS`. */
  args?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
  /** PowerShell processes running at once (each compiles the C# class); default 4. */
  maxConcurrent?: number;
}

/** How one PowerShell run ended. @public */
export interface PowershellRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** True when the script printed the ready marker and was given the request line. */
  requestSent: boolean;
}

/** Runs the script with one request line (sent after the ready marker). Rejects only when PowerShell cannot start. @public */
export function runPowershell(requestLine: string, options: PowershellWincredOptions = {}): Promise<PowershellRun> {
  return new Promise<PowershellRun>((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.env ?? process.env)) if (value !== undefined) env[name] = value;
    const child = spawn(options.executable ?? powershellPath(env), [...(options.args ?? POWERSHELL_ARGS)], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let requestSent = false;
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, options.timeoutMs ?? DEFAULT_POWERSHELL_TIMEOUT_MS);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      if (!requestSent && stdout.includes(READY_MARKER)) {
        requestSent = true;
        child.stdin?.end(`${requestLine}\n`);
      }
    });
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-16_384);
    });
    child.stdin?.on('error', () => {});
    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, timedOut, requestSent });
    });
    child.stdin?.write(wincredScript());
  });
}

/** The last meaningful line PowerShell wrote on stderr. */
function lastLine(text: string): string | undefined {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(\+|At line:|CategoryInfo|FullyQualifiedErrorId)/.test(line))
    .at(-1);
}

/** A failure to run PowerShell at all (not a Windows error code). @public */
export class PowershellFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PowershellFailure';
  }
}

/**
 * The real OS layer on Windows: one PowerShell run per call. This is the only code of the backend
 * that starts a process.
 * @public
 */
export function powershellWincredOs(options: PowershellWincredOptions = {}): WincredOs {
  const limit = Math.max(1, options.maxConcurrent ?? 4);
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async (): Promise<() => void> => {
    if (running >= limit) await new Promise<void>((resolveWait) => waiting.push(resolveWait));
    running++;
    return () => {
      running--;
      waiting.shift()?.();
    };
  };
  const call = async (operation: string, request: WincredRequest): Promise<WincredCredential[]> => {
    const release = await slot();
    let run: PowershellRun;
    try {
      run = await runPowershell(encodeRequest(request), options);
    } catch (error) {
      throw new PowershellFailure(`cannot start Windows PowerShell: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      release();
    }
    if (run.timedOut) {
      const ms = options.timeoutMs ?? DEFAULT_POWERSHELL_TIMEOUT_MS;
      throw new PowershellFailure(`Windows PowerShell did not answer ${operation} within ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`} and was stopped`);
    }
    let response: WincredResponse;
    try {
      response = parseResponse(run.stdout);
    } catch (error) {
      const why = lastLine(run.stderr) ?? (run.requestSent ? `exit status ${run.code}` : 'it stopped before reading the request');
      throw new PowershellFailure(`Windows PowerShell failed in ${operation}: ${(error as Error).message} (${why})`, { cause: error });
    }
    if (!response.ok) throw new Win32Error(operation, response.error, response.message);
    return response.credentials;
  };
  const one = (operation: string, credentials: WincredCredential[]): WincredCredential => {
    const first = credentials[0];
    if (first === undefined) throw new PowershellFailure(`Windows PowerShell answered ${operation} with no credential`);
    return first;
  };
  return {
    read: async (targetName, withBlob) => one('CredReadW', await call('CredReadW', { op: withBlob ? 'read' : 'stat', target: targetName })),
    write: async (targetName, blob) => {
      await call('CredWriteW', { op: 'write', target: targetName, blob });
    },
    delete: async (targetName) => {
      await call('CredDeleteW', { op: 'delete', target: targetName });
    },
    enumerate: (filter) => call('CredEnumerateW', { op: 'enumerate', target: filter }),
  };
}
