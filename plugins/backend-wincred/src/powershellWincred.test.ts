/**
 * The PowerShell script, the request/answer protocol and the process handling. Linux CI has no
 * PowerShell and no advapi32, so the script itself is checked as text (constant, no key or data in
 * it, one complete statement per line), and the process side runs against a stand-in executable
 * that speaks the protocol: it reads the three script lines, prints the ready marker, reads the
 * request line and answers from a directory of credentials with Windows' error codes.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  decodeRequest,
  encodeRequest,
  fileTimeToDate,
  parseResponse,
  powershellPath,
  powershellWincredOs,
  READY_MARKER,
  RESPONSE_MARKER,
  runPowershell,
  WincredProtocolError,
  wincredScript,
} from './powershellWincred.js';
import { WincredBackend } from './wincredBackend.js';
import { Win32Error } from './wincredOs.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('the PowerShell script', () => {
  const script = wincredScript();
  const lines = script.split('\n').slice(0, -1);
  const csharp = /Add-Type -TypeDefinition '([^']*)'/.exec(script)?.[1] ?? '';

  it('is the same text for every call and carries no key, target or data', () => {
    assert.equal(wincredScript(), script);
    for (const secret of ['aws-vault:aws-vault:', 'AKIA', 'dev']) assert.ok(!script.includes(secret), secret);
    assert.ok(script.includes('[Console]::In.ReadLine()'), 'the request comes from standard input');
  });

  it('is plain ASCII, three lines, each a complete statement', () => {
    assert.ok(/^[\x20-\x7e\n]*$/.test(script));
    assert.equal(lines.length, 3);
    for (const line of lines) assert.ok(!/[{(|`,]\s*$/.test(line), `line ends open: ${line.slice(-40)}`);
    assert.ok(!script.includes('@"') && !script.includes("@'"), 'no here-strings');
    assert.ok(lines[2]?.startsWith("[Console]::Out.Write('AWSVAULT-W' + 'INCRED-READY' + [char]10)"), 'prints the ready marker before reading the request');
    assert.ok(lines[2]?.includes("[Console]::Out.Write('AWSVAULT-W' + 'INCRED-RESPONSE ' + [AwsVaultWincred]::Handle("));
    assert.ok(!script.includes(READY_MARKER) && !script.includes(RESPONSE_MARKER), 'an echo of the script cannot pass for a marker');
  });

  it('embeds C# without single quotes, with balanced brackets, calling the four credential functions', () => {
    assert.ok(csharp.length > 1000);
    assert.ok(!csharp.includes("'"));
    assert.ok(!csharp.includes('//'), 'no line comment: it is one line');
    const count = (char: string) => csharp.split(char).length - 1;
    assert.equal(count('{'), count('}'));
    assert.equal(count('('), count(')'));
    assert.equal(count('['), count(']'));
    assert.equal(count('"') % 2, 0);
    for (const name of ['CredReadW', 'CredWriteW', 'CredDeleteW', 'CredEnumerateW', 'CredFree']) assert.ok(csharp.includes(`"${name}"`) || csharp.includes(name), name);
    assert.match(csharp, /credential\.Type = 1; credential\.Persist = 2;/, 'generic credential persisted on the local machine');
    assert.ok(!csharp.includes('UserName ='), 'no user name');
    assert.ok(!/\$"|=>|\?\.|nameof|out var/.test(csharp), 'C# 5 only (Windows PowerShell 5.1 compiles it)');
  });
});

describe('the request line', () => {
  it('is base64 JSON whose strings are base64, and decodes back', () => {
    const request = { op: 'write' as const, target: 'aws-vault:aws-vault:prød "x"', blob: new Uint8Array([0, 10, 255]) };
    const line = encodeRequest(request);
    assert.match(line, /^[A-Za-z0-9+/]+=*$/);
    const json = JSON.parse(Buffer.from(line, 'base64').toString()) as Record<string, string>;
    assert.deepEqual(json, { op: 'write', target: b64('aws-vault:aws-vault:prød "x"'), blob: 'AAr/' });
    assert.deepEqual(decodeRequest(line), request);
    assert.deepEqual(decodeRequest(encodeRequest({ op: 'enumerate', target: 'aws-vault:aws-vault:*' })), { op: 'enumerate', target: 'aws-vault:aws-vault:*' });
  });
});

describe('parseResponse', () => {
  it('reads credentials, with or without blob, and FILETIMEs', () => {
    const answer = `${RESPONSE_MARKER}{"ok":true,"credentials":[{"type":1,"target":"${b64('aws-vault:aws-vault:dev')}","lastWritten":"133485408000000000","blob":"${b64('{"a":1}')}"},{"type":2,"target":"${b64('x')}","lastWritten":"0"}]}\r\n`;
    const parsed = parseResponse(`noise\r\n${answer}`);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.credentials, [
      { type: 1, targetName: 'aws-vault:aws-vault:dev', blob: new Uint8Array(Buffer.from('{"a":1}')), lastWritten: new Date('2024-01-01T00:00:00Z') },
      { type: 2, targetName: 'x' },
    ]);
  });

  it('reads a Windows error, also after a prompt on the same line', () => {
    const parsed = parseResponse(`PS C:\\> ${RESPONSE_MARKER}{"ok":false,"error":1168,"message":"${b64('Element not found.')}"}\n`);
    assert.deepEqual(parsed, { ok: false, error: 1168, message: 'Element not found.' });
  });

  it('refuses a missing or malformed answer', () => {
    assert.throws(() => parseResponse('Add-Type : Cannot add type.'), WincredProtocolError);
    assert.throws(() => parseResponse(`${RESPONSE_MARKER}{"ok":tru`), /not JSON/);
    assert.throws(() => parseResponse(`${RESPONSE_MARKER}{"ok":true,"credentials":[{"type":1,"target":"***"}]}`), /not base64/);
    assert.throws(() => parseResponse(`${RESPONSE_MARKER}{"ok":false,"error":"x"}`), /integer/);
    assert.throws(() => parseResponse(`${RESPONSE_MARKER}[]`), /no "ok"/);
  });

  it('reads the answers the C# class gave when run under Mono against a stub advapi32', () => {
    // Captured once by compiling the class of wincredScript() with mcs -langversion:5 and running
    // Handle() against an in-memory advapi32 written in C (see README, "How it is tested").
    const captured = [
      '{"ok":true}',
      '{"ok":true,"credentials":[{"type":1,"target":"YXdzLXZhdWx0OmF3cy12YXVsdDpwcsO4ZA==","lastWritten":"133485381827903488","blob":"AAr/ew=="}]}',
      '{"ok":true,"credentials":[{"type":1,"target":"YXdzLXZhdWx0OmF3cy12YXVsdDpkZXY=","lastWritten":"133485381827903488"}]}',
      '{"ok":false,"error":1168,"message":"Tm90IGZvdW5k"}',
    ].map((line) => parseResponse(`${RESPONSE_MARKER}${line}\r\n`));
    assert.deepEqual(captured[0], { ok: true, credentials: [] });
    assert.deepEqual(captured[1], {
      ok: true,
      credentials: [{ type: 1, targetName: 'aws-vault:aws-vault:prød', blob: new Uint8Array([0, 10, 255, 123]), lastWritten: new Date('2023-12-31T23:16:22.790Z') }],
    });
    assert.deepEqual(captured[2], { ok: true, credentials: [{ type: 1, targetName: 'aws-vault:aws-vault:dev', lastWritten: new Date('2023-12-31T23:16:22.790Z') }] });
    assert.deepEqual(captured[3], { ok: false, error: 1168, message: 'Not found' });
  });

  it('converts FILETIME', () => {
    assert.deepEqual(fileTimeToDate('133485408000000000'), new Date('2024-01-01T00:00:00Z'));
    assert.equal(fileTimeToDate('0'), undefined);
    assert.equal(fileTimeToDate('-1'), undefined);
  });

  it('finds Windows PowerShell under SystemRoot', () => {
    assert.equal(powershellPath({ SystemRoot: 'D:\\Win' }), 'D:\\Win\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    assert.equal(powershellPath({}), 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  });
});

/** A stand-in for powershell.exe that speaks the protocol over a directory of credentials. */
const STAND_IN = `
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.env.FAKE_STATE;
const running = join(process.env.FAKE_RUNNING, String(process.pid));
writeFileSync(running, '');
const peak = readdirSync(process.env.FAKE_RUNNING).length;
writeFileSync(join(process.env.FAKE_PEAKS, String(process.pid)), String(peak));
const finish = (code) => { rmSync(running, { force: true }); process.exit(code); };
const mode = process.env.FAKE_MODE ?? 'ok';
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const file = (target) => join(dir, Buffer.from(target.toUpperCase()).toString('hex'));
const fail = (code, message) => ({ ok: false, error: code, message: b64(message) });
function handle(request) {
  const target = Buffer.from(request.target, 'base64').toString('utf8');
  if (request.op === 'write') {
    writeFileSync(file(target), JSON.stringify({ target, blob: request.blob, written: '133485408000000000' }));
    return { ok: true };
  }
  if (request.op === 'read' || request.op === 'stat') {
    let stored;
    try { stored = JSON.parse(readFileSync(file(target), 'utf8')); } catch { return fail(1168, 'Element not found.'); }
    const credential = { type: 1, target: b64(stored.target), lastWritten: stored.written };
    if (request.op === 'read') credential.blob = stored.blob;
    return { ok: true, credentials: [credential] };
  }
  if (request.op === 'delete') {
    try { readFileSync(file(target)); } catch { return fail(1168, 'Element not found.'); }
    rmSync(file(target));
    return { ok: true };
  }
  if (request.op === 'enumerate') {
    const prefix = target.slice(0, -1).toUpperCase();
    const found = readdirSync(dir).map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8'))).filter((c) => c.target.toUpperCase().startsWith(prefix));
    if (found.length === 0) return fail(1168, 'Element not found.');
    return { ok: true, credentials: found.map((c) => ({ type: 1, target: b64(c.target), lastWritten: c.written })) };
  }
  return fail(87, 'The parameter is incorrect.');
}
let buffer = '';
let phase = 'script';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  if (phase === 'script') {
    const lines = buffer.split('\\n');
    if (lines.length < 4) return;
    const script = lines.slice(0, 3).join('\\n') + '\\n';
    if (script !== process.env.FAKE_EXPECTED_SCRIPT) { process.stderr.write('not the expected script\\n'); finish(4); }
    if (buffer.length > script.length) { process.stderr.write('the request arrived before the ready marker\\n'); finish(3); }
    buffer = '';
    phase = 'request';
    if (mode === 'die') { process.stderr.write('Add-Type : Cannot add type. Definition of new types is not supported in this language mode.\\n'); finish(1); }
    if (mode === 'hang') return;
    if (mode === 'echo') process.stdout.write(script);
    setTimeout(() => process.stdout.write('PS> ${READY_MARKER}\\n'), 20);
    return;
  }
  const end = buffer.indexOf('\\n');
  if (phase !== 'request' || end < 0) return;
  phase = 'done';
  const request = JSON.parse(Buffer.from(buffer.slice(0, end), 'base64').toString('utf8'));
  const answer = mode === 'garbage' ? 'nothing useful' : '${RESPONSE_MARKER}' + JSON.stringify(handle(request));
  setTimeout(() => { process.stdout.write(answer + '\\r\\n'); finish(0); }, 30);
});
`;

describe('powershellWincredOs (a stand-in executable)', () => {
  let dir: string;
  let standIn: string;
  let env: Record<string, string | undefined>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-wincred-'));
    standIn = join(dir, 'powershell.mjs');
    await writeFile(standIn, STAND_IN);
    await chmod(standIn, 0o755);
    for (const sub of ['state', 'running', 'peaks']) await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, sub)));
    env = { ...process.env, FAKE_STATE: join(dir, 'state'), FAKE_RUNNING: join(dir, 'running'), FAKE_PEAKS: join(dir, 'peaks'), FAKE_EXPECTED_SCRIPT: wincredScript() };
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const os = (extra: Record<string, string> = {}, options: { timeoutMs?: number; maxConcurrent?: number } = {}) =>
    powershellWincredOs({ executable: process.execPath, args: [standIn], env: { ...env, ...extra }, ...options });

  it('writes, reads, lists and deletes through the protocol, sending the request only after the ready marker', async () => {
    const backend = new WincredBackend({ os: os() });
    const data = new Uint8Array([0x7b, 0x00, 0x0a, 0xff, 0x7d]);
    await backend.set({ key: 'prød "x"', data });
    await backend.set({ key: 'oidc:https://x.awsapps.com/start', data: new TextEncoder().encode('{}') });
    assert.deepEqual(Buffer.from((await backend.get('prød "x"')).data), Buffer.from(data));
    assert.deepEqual(await backend.getMetadata('prød "x"'), { key: 'prød "x"', modificationTime: new Date('2024-01-01T00:00:00Z') });
    assert.deepEqual((await backend.keys()).sort(), ['oidc:https://x.awsapps.com/start', 'prød "x"']);
    await backend.remove('prød "x"');
    await assert.rejects(backend.get('prød "x"'), (error: unknown) => (error as { code?: string }).code === 'ITEM_NOT_FOUND');
    await backend.remove('oidc:https://x.awsapps.com/start');
    assert.deepEqual(await backend.keys(), []);
  });

  it('works with a host that echoes the script it reads', async () => {
    const echoing = os({ FAKE_MODE: 'echo' });
    await echoing.write('aws-vault:aws-vault:echo', new Uint8Array([1, 2, 3]));
    assert.deepEqual((await echoing.read('aws-vault:aws-vault:echo', true)).blob, new Uint8Array([1, 2, 3]));
    await echoing.delete('aws-vault:aws-vault:echo');
  });

  it('passes Windows errors up as Win32Error', async () => {
    await assert.rejects(os().read('aws-vault:aws-vault:none', true), (error: unknown) => {
      assert.ok(error instanceof Win32Error);
      assert.equal(error.code, 1168);
      assert.equal(error.message, 'CredReadW failed: Element not found. (Windows error 1168)');
      return true;
    });
  });

  it('runs at most maxConcurrent PowerShells at once', async () => {
    const limited = os({}, { maxConcurrent: 2 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => limited.write(`aws-vault:aws-vault:c${i}`, new Uint8Array([i]))));
    const peaks = await Promise.all((await readdir(join(dir, 'peaks'))).map(async (name) => Number(await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'peaks', name), 'utf8')))));
    assert.ok(Math.max(...peaks) <= 2, `peak ${Math.max(...peaks)}`);
  });

  it('reports a PowerShell that dies, answers garbage or never gets ready', async () => {
    await assert.rejects(os({ FAKE_MODE: 'die' }).enumerate('aws-vault:aws-vault:*'), /stopped before reading the request|language mode/);
    await assert.rejects(os({ FAKE_MODE: 'garbage' }).delete('aws-vault:aws-vault:x'), /PowerShell gave no answer/);
    await assert.rejects(os({ FAKE_MODE: 'hang' }, { timeoutMs: 300 }).read('aws-vault:aws-vault:x', false), /did not answer CredReadW within 300 ms/);
  });

  it('rejects when PowerShell cannot start', async () => {
    await assert.rejects(runPowershell('x', { executable: join(dir, 'no-such-powershell.exe') }), /ENOENT/);
    await assert.rejects(powershellWincredOs({ executable: join(dir, 'no-such-powershell.exe') }).enumerate('a*'), /cannot start Windows PowerShell/);
  });
});
