import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startEmulator, type Emulator } from './server.js';
import { stsClient } from './testing.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

// Requests no AWS client would send on purpose (unsigned, malformed), and
// the standalone entry point.

let emulator: Emulator;
before(async () => {
  emulator = await startEmulator();
});
after(() => emulator.close());

async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(emulator.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe('requests without a valid signature', () => {
  test('unsigned: MissingAuthenticationToken (403) in the STS or IAM error shape', async () => {
    const stsReply = await post('Action=GetCallerIdentity&Version=2011-06-15');
    assert.equal(stsReply.status, 403);
    assert.match(
      stsReply.text,
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code><Message>Request is missing Authentication Token<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>/,
    );
    const iamReply = await fetch(`${emulator.url}/?Action=ListAccessKeys&Version=2010-05-08`);
    assert.equal(iamReply.status, 403);
    assert.match(await iamReply.text(), /xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/".*<Code>MissingAuthenticationToken<\/Code>/);
  });

  test('an unknown action is InvalidAction (400)', async () => {
    const reply = await post('Action=DoSomething&Version=2011-06-15');
    assert.equal(reply.status, 400);
    assert.match(reply.text, /<Code>InvalidAction<\/Code><Message>Could not find operation DoSomething for version 2011-06-15<\/Message>/);
  });

  test('a malformed Authorization header is IncompleteSignature (400)', async () => {
    const reply = await post('Action=GetCallerIdentity&Version=2011-06-15', { authorization: 'AWS4-HMAC-SHA256 Credential=' + fakeAccessKeyId('IOSFODNN7EXAMPLE') + '/20240101/us-east-1/sts/aws4_request' });
    assert.equal(reply.status, 400);
    assert.match(reply.text, /<Code>IncompleteSignature<\/Code><Message>Authorization header requires &apos;Signature&apos; parameter\. Authorization header requires &apos;SignedHeaders&apos; parameter\./);
  });

  test('the request log names the action and status, counters include failures', async () => {
    emulator.state.reset();
    await post('Action=GetCallerIdentity&Version=2011-06-15');
    assert.equal(emulator.state.calls('sts:GetCallerIdentity'), 1);
    assert.deepEqual(
      emulator.state.requests.map((r) => [r.service, r.action, r.status, r.errorCode]),
      [['sts', 'GetCallerIdentity', 403, 'MissingAuthenticationToken']],
    );
  });
});

describe('main.ts', () => {
  test('prints its URL, serves a seeded user, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-emulator-main-'));
    const seedFile = join(dir, 'seed.json');
    const main = join(dirname(fileURLToPath(import.meta.url)), 'main.js');
    const child = spawn(process.execPath, [main, '--user', 'standalone', '--seed-file', seedFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_EMULATOR_MFA_SECRET: 'JBSWY3DPEHPK3PXP' },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          if (out.includes('\n')) resolve(out.trim());
        });
        child.once('exit', (code) => reject(new Error(`main exited early with ${code}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as {
        user: { accessKeyId: string; secretAccessKey: string; arn: string };
        mfa: { serialNumber: string; secret: string };
      };
      assert.equal(seed.mfa.serialNumber, 'arn:aws:iam::123456789012:mfa/standalone');
      const me = await stsClient(url, seed.user).send(new GetCallerIdentityCommand({}));
      assert.equal(me.Arn, seed.user.arn);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
