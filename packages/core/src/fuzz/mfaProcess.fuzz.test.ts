import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isVaultError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { runMfaProcess } from '../providers/mfaCodeSource.js';

/** Each input is a real `/bin/sh -c printf …` child, so fewer than FUZZ_RUNS (about 2 ms each). */
const MFA_PROCESS_RUNS = 1000;

/** A printf format that writes exactly these bytes: every byte as a three-digit octal escape. */
const printfOf = (bytes: Uint8Array): string => `printf '${[...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}'`;

const encoder = new TextEncoder();
const stdoutBytes = fc.oneof(
  // What authenticators print: digits with the white space around them that shells and tools add.
  fc.tuple(fc.constantFrom('', ' ', '\n', '\t', '\r\n', '\n\n'), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 8 }), fc.constantFrom('', '\n', '\r\n', ' \n', '\n\n\n')).map(([a, code, b]) => encoder.encode(`${a}${code}${b}`)),
  fc.string({ maxLength: 64 }).map((s) => encoder.encode(s)),
  fc.string({ unit: fc.constantFrom(' ', '\n', '\t', '\r', '\v', '\f', '\u00a0', '\u2028', '\ufeff'), maxLength: 8 }).map((s) => encoder.encode(s)),
  fc.uint8Array({ maxLength: 64 }),
);

describe('fuzz: mfa_process output', () => {
  it(`runMfaProcess: ${MFA_PROCESS_RUNS} random stdouts through a real printf give the trimmed text or one line naming the profile`, async () => {
    let inputs = 0;
    let codes = 0;
    await fc.assert(
      fc.asyncProperty(stdoutBytes, fc.constantFrom(0, 0, 0, 1, 3), async (bytes, exitCode) => {
        inputs++;
        const command = `${printfOf(bytes)}${exitCode === 0 ? '' : `; exit ${exitCode}`}`;
        const expected = Buffer.from(bytes).toString('utf8').trim();
        try {
          const code = await runMfaProcess(command, 'fuzz-mfa', silentLogger);
          assert.equal(exitCode, 0, 'a failing mfa_process gives no code');
          assert.equal(code, expected);
          assert.notEqual(code, '');
          codes++;
        } catch (error) {
          assert.ok(isVaultError(error) && error.code === 'MFA_PROCESS_FAILED', `not an MFA_PROCESS_FAILED: ${String(error)}`);
          assert.ok(error.message.startsWith('profile fuzz-mfa: mfa_process '), error.message);
          assert.ok(!error.message.includes('\n'), 'one line');
          if (exitCode === 0) assert.equal(expected, '', `refused a code: ${error.message}`);
          else assert.match(error.message, new RegExp(`exited with code ${exitCode}$`));
          if (expected.length >= 8) assert.ok(!error.message.includes(expected), 'the output is not echoed');
        }
      }),
      { numRuns: MFA_PROCESS_RUNS },
    );
    assert.ok(codes > 0);
    console.log(`figure fuzz mfa-process-output inputs=${inputs} crashes=0 codes=${codes}`);
  });
});
