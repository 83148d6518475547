/**
 * The `security` commands vault builds, and the process runner. Linux has no `/usr/bin/security`,
 * so lines are checked by splitting them the way the tool's interactive mode does (the emulation in
 * fakeSecurity.test.util.ts), and the runner starts a stand-in executable that reports the argv
 * and standard input it received.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { splitLine } from './fakeSecurity.test.util.js';
import {
  addPasswordLine,
  createKeychainArgs,
  deletePasswordArgs,
  dumpKeychainArgs,
  findPasswordArgs,
  MAX_COMMAND_LINE_BYTES,
  quoteArgument,
  systemKeychainOs,
  unlockKeychainArgs,
} from './securityTool.js';

const KC = '/Users/jon/Library/Keychains/aws-vault.keychain-db';
const args = (line: Buffer) => splitLine(line).map((arg) => arg.toString('latin1'));

describe('argv of the commands without secrets', () => {
  it('restricts every command to the keychain, last', () => {
    assert.deepEqual(findPasswordArgs(KC, 'dev', false), ['find-generic-password', '-s', 'aws-vault', '-a', 'dev', KC]);
    assert.deepEqual(findPasswordArgs(KC, '-dev', true), ['find-generic-password', '-s', 'aws-vault', '-a', '-dev', '-g', KC]);
    assert.deepEqual(deletePasswordArgs(KC, 'dev'), ['delete-generic-password', '-s', 'aws-vault', '-a', 'dev', KC]);
    assert.deepEqual(dumpKeychainArgs(KC), ['dump-keychain', KC]);
    assert.deepEqual(unlockKeychainArgs(KC), ['unlock-keychain', KC]);
    assert.deepEqual(createKeychainArgs(KC), ['create-keychain', '-P', KC]);
  });
});

describe('addPasswordLine', () => {
  const base = { keychain: KC, account: 'dev', label: 'aws-vault (dev)', kind: '', update: false, untrusted: true };

  it('writes the data as -w "…", and -T "" for an untrusted new item', () => {
    const data = Buffer.from('{"AccessKeyID":"AKIA","SecretAccessKey":"S\\\\x"}');
    const line = addPasswordLine({ ...base, data });
    assert.equal(
      line.toString('latin1'),
      `add-generic-password -s "aws-vault" -a "dev" -l "aws-vault (dev)" -D "" -T "" -w "{\\"AccessKeyID\\":\\"AKIA\\",\\"SecretAccessKey\\":\\"S\\\\\\\\x\\"}" "${KC}"`,
    );
    assert.deepEqual(args(line), ['add-generic-password', '-s', 'aws-vault', '-a', 'dev', '-l', 'aws-vault (dev)', '-D', '', '-T', '', '-w', data.toString('latin1'), KC]);
  });

  it('adds -U and never -T when updating', () => {
    const line = addPasswordLine({ ...base, update: true, data: Buffer.from('x') });
    assert.deepEqual(args(line), ['add-generic-password', '-U', '-s', 'aws-vault', '-a', 'dev', '-l', 'aws-vault (dev)', '-D', '', '-w', 'x', KC]);
  });

  it('sends data with NUL or newline bytes as -X hex', () => {
    const data = Buffer.from([0x7b, 0x0a, 0x00, 0xff]);
    const split = args(addPasswordLine({ ...base, untrusted: false, data }));
    assert.deepEqual(split.slice(-3), ['-X', '7b0a00ff', KC]);
    assert.ok(!split.includes('-T'));
  });

  it('round-trips awkward keys, labels and data through the tool\'s line splitting', () => {
    const values = ['a b', 'quote " and \'', 'back\\slash\\', '-leading-dash', 'tab\there', 'cr\rhere', 'prød-ü €', '', '""', "'"];
    for (const value of values) {
      const data = Buffer.from(`data ${value}`);
      const split = splitLine(addPasswordLine({ ...base, account: value, label: value, kind: value, data }));
      assert.equal(split[4]?.toString(), value, `account ${JSON.stringify(value)}`);
      assert.equal(split[6]?.toString(), value);
      assert.equal(split[8]?.toString(), value);
      assert.deepEqual(split[12], data);
    }
  });

  it('round-trips every byte value but NUL and newline inside quotes', () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 0 && b !== 10));
    assert.deepEqual(splitLine(quoteArgument(bytes))[0], bytes);
    assert.throws(() => quoteArgument('a\nb'));
    assert.throws(() => quoteArgument(Buffer.from([0x61, 0x00])));
  });
});

describe('systemKeychainOs (a stand-in executable)', () => {
  let dir: string;
  let tool: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-security-'));
    tool = join(dir, 'security');
    await writeFile(
      tool,
      `#!${process.execPath}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  if (process.env.FAKE_MODE === 'sleep') { setTimeout(() => {}, 60000); return; }
  process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), stdin: Buffer.concat(chunks).toString('base64') }));
  process.stderr.write('security: something\\n');
  process.exit(Number(process.env.FAKE_EXIT ?? 0));
});
`,
    );
    await chmod(tool, 0o755);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('runs a command with its argv and no input', async () => {
    const os = systemKeychainOs({ executable: tool, env: { ...process.env, FAKE_EXIT: '44' } });
    const run = await os.run(['find-generic-password', '-s', 'aws-vault', '-a', 'dev', KC]);
    assert.equal(run.status, 44);
    assert.equal(run.timedOut, false);
    assert.deepEqual(JSON.parse(run.stdout), { argv: ['find-generic-password', '-s', 'aws-vault', '-a', 'dev', KC], stdin: '' });
    assert.equal(run.stderr, 'security: something\n');
  });

  it('runs security -i with the line and a newline on stdin, nothing secret in argv', async () => {
    const os = systemKeychainOs({ executable: tool });
    const line = addPasswordLine({ keychain: KC, account: 'dev', label: 'l', kind: '', data: Buffer.from('top-secret'), update: false, untrusted: true });
    const run = await os.runInteractive(line);
    const seen = JSON.parse(run.stdout) as { argv: string[]; stdin: string };
    assert.deepEqual(seen.argv, ['-i']);
    assert.deepEqual(Buffer.from(seen.stdin, 'base64'), Buffer.concat([line, Buffer.from('\n')]));
    assert.equal(run.status, 0);
  });

  it('refuses a line the tool would cut in two', async () => {
    const os = systemKeychainOs({ executable: tool });
    await assert.rejects(os.runInteractive(Buffer.alloc(MAX_COMMAND_LINE_BYTES + 1, 0x61)), /refusing/);
    await assert.rejects(os.runInteractive(Buffer.from('a\nb')), /refusing/);
    const exact = await os.runInteractive(Buffer.alloc(MAX_COMMAND_LINE_BYTES, 0x61));
    assert.equal(exact.status, 0);
  });

  it('stops a tool that does not finish in time', async () => {
    const os = systemKeychainOs({ executable: tool, env: { ...process.env, FAKE_MODE: 'sleep' }, timeoutMs: 200, killGraceMs: 200 });
    const run = await os.runInteractive(Buffer.from('dump-keychain'));
    assert.equal(run.timedOut, true);
  });

  it('rejects when the tool cannot be started, and answers realPath', async () => {
    const os = systemKeychainOs({ executable: join(dir, 'missing') });
    await assert.rejects(os.run(['dump-keychain']), /ENOENT/);
    assert.equal(await os.realPath(join(dir, 'nothing-here')), undefined);
    assert.equal(await os.realPath(tool), tool);
  });
});
