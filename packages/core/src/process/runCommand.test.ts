import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commandTimeoutMs, lastLine, runCommand, type RunCommandOptions } from './runCommand.js';

let dir: string;
/** A line that runs `node <script>` with `args`, quoted for the splitter. */
let node: (script: string, ...args: string[]) => string;
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vault-run-'));
  node = (script, ...args) => {
    const file = join(dir, `s${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(file, script);
    return [process.execPath, file, ...args].map(quote).join(' ');
  };
});
after(() => rmSync(dir, { recursive: true, force: true }));

function sink() {
  const chunks: string[] = [];
  return { write: (chunk: Uint8Array | string) => chunks.push(Buffer.from(chunk).toString('utf8')), text: () => chunks.join('') };
}

const base = (extra: Partial<RunCommandOptions> = {}): RunCommandOptions => ({
  what: 'credential_process',
  codePrefix: 'CREDENTIAL_PROCESS',
  profileName: 'cp',
  env: process.env,
  ttyPath: null,
  stderr: sink(),
  ...extra,
});

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; message: string; stack?: string }) => {
    assert.equal(error.code, code, error.stack);
    assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'), 'one line');
    return true;
  });
}

describe('runCommand', () => {
  it('returns stdout verbatim and runs with the given environment', async () => {
    const out = await runCommand(node('process.stdout.write(`  ${process.env.VAULT_TEST_VALUE}\\n\\n`)'), base({ env: { ...process.env, VAULT_TEST_VALUE: 'from env' } }));
    assert.equal(out, '  from env\n\n');
  });

  it('passes the words to the program as they are: no shell expands or chains anything', async () => {
    const out = await runCommand(`${node('process.stdout.write(JSON.stringify(process.argv.slice(2)))')} "$HOME" '*' ';' 'touch' '/tmp/x' '$(id)' "a b"`, base());
    assert.deepEqual(JSON.parse(out), ['$HOME', '*', ';', 'touch', '/tmp/x', '$(id)', 'a b']);
  });

  it('runs a program whose path has spaces when it is quoted', async () => {
    const spaced = join(dir, 'dir with spaces');
    const { mkdirSync, chmodSync } = await import('node:fs');
    mkdirSync(spaced, { recursive: true });
    const script = join(spaced, 'creds tool');
    writeFileSync(script, `#!${process.execPath}\nprocess.stdout.write('ran ' + process.argv[2])\n`);
    chmodSync(script, 0o755);
    assert.equal(await runCommand(`"${script}" "an arg"`, base()), 'ran an arg');
    assert.equal(await runCommand(`${script.replace(/ /g, '\\ ')} x`, base()), 'ran x');
  });

  it('passes stderr through and names the exit code and the last stderr line on failure', async () => {
    const err = sink();
    await rejectsWith(
      runCommand(node('process.stderr.write("working\\n\\x1b[31mtoken expired: run login\\x1b[0m\\n\\n"); process.exit(3)'), base({ stderr: err })),
      'CREDENTIAL_PROCESS_FAILED',
      /^profile cp: credential_process exited with code 3: token expired: run login$/,
    );
    assert.equal(err.text(), 'working\n\x1b[31mtoken expired: run login\x1b[0m\n\n');
  });

  it('says so when the command printed nothing on stderr, or was killed', async () => {
    await rejectsWith(runCommand(node('process.exit(1)'), base()), 'CREDENTIAL_PROCESS_FAILED', /^profile cp: credential_process exited with code 1$/);
    await rejectsWith(runCommand(node('process.kill(process.pid, "SIGTERM"); setTimeout(() => {}, 5000)'), base()), 'CREDENTIAL_PROCESS_FAILED', /^profile cp: credential_process was killed by SIGTERM$/);
  });

  it('stops a command that runs past the timeout', async () => {
    const started = Date.now();
    await rejectsWith(runCommand(node('setTimeout(() => {}, 30_000)'), base({ timeoutMs: 300 })), 'CREDENTIAL_PROCESS_TIMEOUT', /^profile cp: credential_process did not finish within 300ms$/);
    assert.ok(Date.now() - started < 5000);
    await rejectsWith(
      runCommand(node('setTimeout(() => {}, 30_000)'), base({ env: { ...process.env, AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT: '1s' } })),
      'CREDENTIAL_PROCESS_TIMEOUT',
      /did not finish within 1s$/,
    );
  });

  it('stops a command that prints too much', async () => {
    await rejectsWith(runCommand(node('process.stdout.write("x".repeat(5000))'), base({ maxOutputBytes: 1000 })), 'CREDENTIAL_PROCESS_OUTPUT_TOO_LARGE', /printed more than 1000 bytes on stdout$/);
  });

  it('reports a program that cannot start', async () => {
    await rejectsWith(runCommand(`${join(dir, 'missing')} --x`, base()), 'CREDENTIAL_PROCESS_START_FAILED', /^profile cp: credential_process could not start \S+missing: no such file or directory, or not on PATH \(ENOENT\)$/);
    const plain = join(dir, 'not-executable');
    writeFileSync(plain, 'echo hi\n', { mode: 0o644 });
    await rejectsWith(runCommand(plain, base()), 'CREDENTIAL_PROCESS_START_FAILED', /permission denied \(EACCES\)$/);
  });

  it('reports an empty command and a line that cannot be split', async () => {
    for (const line of ['', '   ', "''", '"" --flag']) {
      await rejectsWith(runCommand(line, base()), 'CREDENTIAL_PROCESS_EMPTY', /^profile cp: credential_process is empty$/);
    }
    await rejectsWith(runCommand('creds "--oops', base()), 'CREDENTIAL_PROCESS_SYNTAX', /^profile cp: credential_process has a " quote that is never closed$/);
  });

  it('names the key and uses the code prefix it is given', async () => {
    const options = base({ what: 'web_identity_token_process', codePrefix: 'WEB_IDENTITY_TOKEN_PROCESS', profileName: 'wi', env: { PATH: dir } });
    await rejectsWith(runCommand('no-such-program', options), 'WEB_IDENTITY_TOKEN_PROCESS_START_FAILED', /^profile wi: web_identity_token_process could not start no-such-program: no such file or directory, or not on PATH \(ENOENT\)$/);
  });

  it('gives the child the terminal as stdin when there is one, and no stdin otherwise', async () => {
    const fakeTty = join(dir, 'tty');
    writeFileSync(fakeTty, 'typed on the terminal');
    const echo = node('let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => process.stdout.write(`[${s}]`))');
    assert.equal(await runCommand(echo, base({ ttyPath: fakeTty })), '[typed on the terminal]');
    assert.equal(await runCommand(echo, base({ ttyPath: null })), '[]');
    assert.equal(await runCommand(echo, base({ ttyPath: join(dir, 'no-such-tty') })), '[]');
  });
});

describe('commandTimeoutMs', () => {
  it('defaults to 60s and reads AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT as a Go duration (0: no limit)', () => {
    assert.equal(commandTimeoutMs({}), 60_000);
    assert.equal(commandTimeoutMs({ AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT: '' }), 60_000);
    assert.equal(commandTimeoutMs({ AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT: '2m30s' }), 150_000);
    assert.equal(commandTimeoutMs({ AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT: '1500ms' }), 1500);
    assert.equal(commandTimeoutMs({ AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT: '0' }), 0);
  });
  it('rejects what is not a duration', () => {
    for (const text of ['60', 'soon', '-1s']) {
      assert.throws(() => commandTimeoutMs({ AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT: text }), (e: { code: string; message: string }) => {
        assert.equal(e.code, 'ENV_INVALID');
        assert.equal(e.message, `environment variable AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT=${text} is not a duration`);
        return true;
      });
    }
  });
});

describe('lastLine', () => {
  it('takes the last non-blank line without escapes or control characters, capped', () => {
    assert.equal(lastLine('a\r\nb\r\n\n  \n'), 'b');
    assert.equal(lastLine('\x1b[1;31mred\x1b[0m\x07'), 'red');
    assert.equal(lastLine(''), undefined);
    assert.equal(lastLine('x'.repeat(300)), `${'x'.repeat(200)}…`);
  });
});
