/**
 * Helpers for the emulator's own tests: real AWS clients pointed at an
 * emulator, and a runner for the Debian AWS CLI v2. Not used by the emulator.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { TOTP_PERIOD_MS, type EmulatorState } from './state.js';

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Anything with credentials in the shape STS returns them. */
export interface StsCredentials {
  AccessKeyId?: string;
  SecretAccessKey?: string;
  SessionToken?: string;
}

export function keysFrom(credentials: StsCredentials | undefined): Keys {
  assert.ok(credentials?.AccessKeyId && credentials.SecretAccessKey && credentials.SessionToken, 'response has credentials');
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  };
}

/** An STS client that signs with `keys` and never retries (so every call is one request). */
export function stsClient(url: string, keys: Keys, extra: { systemClockOffset?: number } = {}): STSClient {
  return new STSClient({ endpoint: url, region: 'us-east-1', credentials: keys, maxAttempts: 1, ...extra });
}

export function iamClient(url: string, keys: Keys): IAMClient {
  return new IAMClient({ endpoint: url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
}

/** Asserts that `promise` fails with the AWS error `code` as sent on the wire (and HTTP `status`, message pattern if given). */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  expect: { status?: number; message?: RegExp | string } = {},
): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error, 'rejects with an Error');
    // The SDK names modeled errors after their shape (NoSuchEntityException);
    // `Code` keeps the code that was on the wire.
    const wireCode = (error as { Code?: string }).Code ?? error.name;
    assert.equal(wireCode, code, `error code (message: ${error.message})`);
    if (expect.status !== undefined) {
      const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
      assert.equal(metadata?.httpStatusCode, expect.status, 'HTTP status');
    }
    if (typeof expect.message === 'string') assert.equal(error.message, expect.message);
    else if (expect.message) assert.match(error.message, expect.message);
    return error;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

/**
 * Moves the emulator's virtual clock to one second past the next 30-second
 * TOTP boundary, so a test that reasons about "this code" and "the next code"
 * cannot straddle a step change.
 */
export function alignToTotpStep(state: EmulatorState): void {
  state.advanceClock(TOTP_PERIOD_MS - (state.now() % TOTP_PERIOD_MS) + 1000);
}

export const AWS_CLI = '/usr/bin/aws';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the Debian AWS CLI v2 with only the given credentials: no config
 * files, no instance metadata, no retries. Fails (never skips) when the CLI
 * is not installed.
 */
export function runAwsCli(url: string, keys: Keys, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  assert.ok(existsSync(AWS_CLI), 'install awscli: apt-get install -y awscli');
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Drop any AWS_* the developer has set, so only what we pass is used.
    if (value !== undefined && !key.startsWith('AWS_')) childEnv[key] = value;
  }
  Object.assign(childEnv, {
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    ...(keys.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: keys.sessionToken }),
    ...env,
  });
  return new Promise((resolve) => {
    execFile(
      AWS_CLI,
      [...args, '--endpoint-url', url, '--output', 'json'],
      { env: childEnv, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
