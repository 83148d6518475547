import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileConfig } from '../config/ProfileConfig.js';
import type { Credentials } from '../credentials.js';
import type { IamApi } from '../iam/iamApi.js';
import { chainNeedsMfa, rotateAccessKey, type RotateAccessKeyOptions } from './rotateAccessKey.js';
import { fakeAccessKeyId } from '../testing/fakeAccessKeyId.js';

// ---------------------------------------------------------------------------------------------
// A small IAM + STS world: one user with keys, sessions handed out by the "chain", and faults.

const OLD: Credentials = { accessKeyId: fakeAccessKeyId('OLDOLDOLDOLD1111'), secretAccessKey: 'old-secret' };
const SESSION: Credentials = { accessKeyId: 'ASIASESSION000000001', secretAccessKey: 's', sessionToken: 't' };

type Action = 'GetUser' | 'CreateAccessKey' | 'DeleteAccessKey' | 'GetCallerIdentity';

function awsError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

class World {
  readonly live = new Set<string>([OLD.accessKeyId]);
  readonly calls: Array<{ action: Action; by: string; input?: Record<string, unknown> }> = [];
  /** Errors to throw on the next calls of an action, in order. */
  readonly faults = new Map<Action, unknown[]>();
  stored: Credentials = OLD;
  readonly printed: string[] = [];
  readonly warned: string[] = [];
  private created = 0;
  /** How many GetCallerIdentity calls with a new key fail before it works. */
  newKeyDelay = 0;

  private fault(action: Action): void {
    const queue = this.faults.get(action);
    const next = queue?.shift();
    if (next !== undefined) throw next;
  }

  iam = async (credentials: Credentials): Promise<IamApi> => ({
    getUser: async (input = {}) => {
      this.calls.push({ action: 'GetUser', by: credentials.accessKeyId, input });
      this.fault('GetUser');
      return { UserName: 'alice', Arn: 'arn:aws:iam::111111111111:user/alice', UserId: 'AIDA' };
    },
    createAccessKey: async (input) => {
      this.calls.push({ action: 'CreateAccessKey', by: credentials.accessKeyId, input });
      this.fault('CreateAccessKey');
      this.created++;
      const id = fakeAccessKeyId(`NEWNEWNEWNEW000${this.created}`);
      this.live.add(id);
      return { AccessKeyId: id, SecretAccessKey: `new-secret-${this.created}`, UserName: input.UserName ?? 'alice' };
    },
    deleteAccessKey: async (input) => {
      this.calls.push({ action: 'DeleteAccessKey', by: credentials.accessKeyId, input });
      this.fault('DeleteAccessKey');
      if (!this.live.delete(input.AccessKeyId)) throw awsError('NoSuchEntity', 'no such key', 404);
    },
  });

  sts = async (credentials: Credentials) => ({
    getCallerIdentity: async () => {
      this.calls.push({ action: 'GetCallerIdentity', by: credentials.accessKeyId });
      this.fault('GetCallerIdentity');
      if (credentials.accessKeyId.startsWith('AKIANEW') && this.newKeyDelay > 0) {
        this.newKeyDelay--;
        throw awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      }
      return { Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/alice', UserId: 'AIDA' };
    },
  });

  options(overrides: Partial<RotateAccessKeyOptions> = {}): RotateAccessKeyOptions {
    let now = 0;
    return {
      profileName: 'dev',
      masterName: 'dev',
      noSession: false,
      readKey: async () => this.stored,
      storeKey: async (key) => {
        this.stored = key;
      },
      sessionCredentials: async () => SESSION,
      clearSessions: async () => [{ profileName: 'dev', count: 2 }, { profileName: 'base', count: 0 }],
      iam: this.iam,
      sts: this.sts,
      print: (line) => this.printed.push(line),
      warn: (line) => this.warned.push(line),
      keyWait: { timeoutMs: 20_000, now: () => now, sleep: async (ms) => void (now += ms) },
      ...overrides,
    };
  }

  summary(): string[] {
    return this.calls.map((c) => `${c.action}:${c.by.slice(0, 7)}${c.input && 'UserName' in c.input ? `:${String(c.input['UserName'])}` : ''}`);
  }
}

async function rejected(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; hint?: string };
  }
  return assert.fail('expected the rotation to fail');
}

describe('rotateAccessKey: the happy path', () => {
  it('creates with the session, waits, stores, clears sessions, deletes the old key with the new key, printing what aws-vault prints', async () => {
    const w = new World();
    const result = await rotateAccessKey(w.options());
    assert.deepEqual(w.printed, [
      "Rotating credentials stored for profile 'dev' using a session from profile 'dev' (takes 10-20 seconds)",
      'Creating a new access key',
      'Created new access key ****************0001',
      'Deleted 2 sessions for dev',
      'Deleting old access key ****************1111',
      'Deleted old access key ****************1111',
      'Finished rotating access key',
    ]);
    assert.deepEqual(w.summary(), ['CreateAccessKey:ASIASES', 'GetCallerIdentity:AKIANEW', 'DeleteAccessKey:AKIANEW']);
    assert.equal(w.stored.accessKeyId, fakeAccessKeyId('NEWNEWNEWNEW0001'));
    assert.equal(w.stored.secretAccessKey, 'new-secret-1');
    assert.deepEqual([...w.live], [fakeAccessKeyId('NEWNEWNEWNEW0001')]);
    assert.deepEqual(result, { oldAccessKeyId: OLD.accessKeyId, newAccessKeyId: fakeAccessKeyId('NEWNEWNEWNEW0001'), userName: 'alice', sessionsDeleted: 2 });
  });

  it('--no-session says so, and signs with the stored keys', async () => {
    const w = new World();
    await rotateAccessKey(w.options({ noSession: true, masterName: 'base', profileName: 'dev', sessionCredentials: async () => w.stored }));
    assert.equal(w.printed[0], "Rotating credentials stored for profile 'base' using master credentials (takes 10-20 seconds)");
    assert.deepEqual(w.summary(), ['CreateAccessKey:AKIAOLD', 'GetCallerIdentity:AKIANEW', 'DeleteAccessKey:AKIANEW']);
  });

  it('waits with backoff until the new key works before storing it', async () => {
    const w = new World();
    w.newKeyDelay = 3;
    const slept: number[] = [];
    let now = 0;
    await rotateAccessKey(w.options({ keyWait: { now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) } }));
    assert.deepEqual(slept.slice(0, 3), [500, 1000, 2000]);
    assert.equal(w.calls.filter((c) => c.action === 'GetCallerIdentity').length, 4);
    assert.equal(w.stored.accessKeyId, fakeAccessKeyId('NEWNEWNEWNEW0001'));
  });

  it('through a role: the user name comes from GetUser with the stored keys and goes to every IAM call', async () => {
    const w = new World();
    const fromNewKey: Credentials = { accessKeyId: 'ASIAROLEFROMNEWKEY01', secretAccessKey: 'r', sessionToken: 't' };
    await rotateAccessKey(w.options({ roleArn: 'arn:aws:iam::111111111111:role/admin', chainFromNewKey: async () => fromNewKey }));
    assert.deepEqual(w.summary(), ['GetUser:AKIAOLD', 'CreateAccessKey:ASIASES:alice', 'GetCallerIdentity:AKIANEW', 'DeleteAccessKey:ASIAROL:alice']);
  });

  it('refuses a role in another account than the user, changing nothing', async () => {
    const w = new World();
    const error = await rejected(rotateAccessKey(w.options({ roleArn: 'arn:aws:iam::999999999999:role/admin' })));
    assert.equal(error.code, 'ROTATE_WRONG_ACCOUNT');
    assert.match(error.message, /role_arn is in account 999999999999, but the stored key belongs to IAM user alice of account 111111111111; nothing was changed: the stored key \*{16}1111 is unchanged and still live$/);
    assert.deepEqual(w.summary(), ['GetUser:AKIAOLD']);
  });
});

describe('rotateAccessKey: every failure leaves a working key stored and says which', () => {
  it('CreateAccessKey fails: the old key stays stored', async () => {
    const w = new World();
    w.faults.set('CreateAccessKey', [awsError('AccessDenied', 'not allowed', 403)]);
    const error = await rejected(rotateAccessKey(w.options()));
    assert.equal(error.message, 'profile dev: iam:CreateAccessKey failed: AccessDenied: not allowed; the stored key ****************1111 is unchanged and still live');
    assert.equal(w.stored, OLD);
    assert.deepEqual([...w.live], [OLD.accessKeyId]);
  });

  it('LimitExceeded: tells the user to delete the key vault does not use', async () => {
    const w = new World();
    // The SDK names the modeled error LimitExceededException; the wire code is LimitExceeded.
    w.faults.set('CreateAccessKey', [Object.assign(awsError('LimitExceededException', 'Cannot exceed quota for AccessKeysPerUser: 2', 409), { Code: 'LimitExceeded' })]);
    const error = await rejected(rotateAccessKey(w.options()));
    assert.equal(error.code, 'ROTATE_KEY_LIMIT');
    assert.match(error.message, /^profile dev: iam:CreateAccessKey failed: LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2; the stored key \*{16}1111 is unchanged and still live$/);
    assert.match(error.hint ?? '', /delete the one vault does not store \(not \*{16}1111/);
    assert.equal(w.stored, OLD);
  });

  it('the new key never works: it is deleted again and the old key stays', async () => {
    const w = new World();
    w.newKeyDelay = 1000;
    const error = await rejected(rotateAccessKey(w.options()));
    assert.equal(error.code, 'ROTATE_KEY_NEVER_WORKED');
    assert.match(error.message, /^profile dev: the new access key \*{16}0001 still did not work after 20s \(\d+ attempts, last error: The security token included in the request is invalid\.\); it was deleted again; the stored key \*{16}1111 is unchanged and still live$/);
    assert.equal(w.stored, OLD);
    assert.deepEqual([...w.live], [OLD.accessKeyId]);
    assert.equal(w.calls.at(-1)?.action, 'DeleteAccessKey');
    assert.equal(w.calls.at(-1)?.by, SESSION.accessKeyId, 'undone with the credentials that created it');
  });

  it('the new key never works and cannot be deleted either: says both keys are active, the old one stored', async () => {
    const w = new World();
    w.newKeyDelay = 1000;
    w.faults.set('DeleteAccessKey', [awsError('ServiceFailure', 'boom', 500)]);
    const error = await rejected(rotateAccessKey(w.options()));
    assert.match(error.message, /deleting it again failed too \(boom\), so \*{16}0001 is still active in IAM; the stored key \*{16}1111 is unchanged and still live$/);
    assert.equal(w.stored, OLD);
  });

  it('storing fails: the new key is deleted again', async () => {
    const w = new World();
    const error = await rejected(rotateAccessKey(w.options({ storeKey: async () => Promise.reject(new Error('disk full')) })));
    assert.equal(error.message, 'profile dev: cannot store the new access key ****************0001: disk full; it was deleted again; the stored key ****************1111 is unchanged and still live');
    assert.deepEqual([...w.live], [OLD.accessKeyId]);
  });

  it('DeleteAccessKey of the old key fails: the new key is stored, and the old one must be deleted by hand', async () => {
    const w = new World();
    w.faults.set('DeleteAccessKey', [awsError('AccessDenied', 'explicit deny', 403)]);
    const error = await rejected(rotateAccessKey(w.options()));
    assert.equal(error.code, 'ROTATE_OLD_KEY_LEFT');
    assert.equal(error.message, 'profile dev: iam:DeleteAccessKey failed: AccessDenied: explicit deny; the new key ****************0001 is stored and live, but the old key ****************1111 is still active in IAM');
    assert.match(error.hint ?? '', /delete \*{16}1111 by hand/);
    assert.equal(w.stored.accessKeyId, fakeAccessKeyId('NEWNEWNEWNEW0001'));
    assert.equal(w.calls.filter((c) => c.action === 'DeleteAccessKey').length, 1, 'AccessDenied is not retried');
  });

  it('a transient DeleteAccessKey failure (the new key not yet known to IAM) is retried', async () => {
    const w = new World();
    w.faults.set('DeleteAccessKey', [awsError('InvalidClientTokenId', 'invalid', 403), awsError('Throttling', 'slow down', 400)]);
    await rotateAccessKey(w.options());
    assert.equal(w.calls.filter((c) => c.action === 'DeleteAccessKey').length, 3);
    assert.deepEqual([...w.live], [fakeAccessKeyId('NEWNEWNEWNEW0001')]);
  });

  it('a failing session (e.g. a wrong MFA code) changes nothing and says so', async () => {
    const w = new World();
    const error = await rejected(rotateAccessKey(w.options({ sessionCredentials: async () => Promise.reject(new Error('profile dev: sts:AssumeRole failed: AccessDenied: MFA')) })));
    assert.equal(error.message, 'profile dev: sts:AssumeRole failed: AccessDenied: MFA; nothing was changed: the stored key ****************1111 is unchanged and still live');
    assert.equal(w.calls.length, 0);
  });

  it('failing to clear sessions only warns', async () => {
    const w = new World();
    await rotateAccessKey(w.options({ clearSessions: async () => Promise.reject(new Error('locked')) }));
    assert.deepEqual(w.warned, ['vault: warning: could not delete cached sessions: locked (run `vault clear dev`)']);
    assert.equal(w.printed.at(-1), 'Finished rotating access key');
  });
});

describe('chainNeedsMfa', () => {
  const profile = (name: string, extra: Partial<ProfileConfig> = {}): ProfileConfig => ({
    name, hasSection: true, assumeRoleDuration: 3600, sessionTokenDuration: 3600, chainedSessionTokenDuration: 28800, federationTokenDuration: 3600, durationFromFlag: false, origins: {}, ...extra,
  });
  it('looks from the target down to the stored keys, and no further', () => {
    const base = profile('base', { mfaSerial: 'arn:aws:iam::1:mfa/x' });
    const dev = profile('dev', { sourceProfile: base });
    const admin = profile('admin', { sourceProfile: dev, roleArn: 'arn:aws:iam::111111111111:role/a' });
    assert.equal(chainNeedsMfa(admin, 'base'), true);
    assert.equal(chainNeedsMfa(admin, 'dev'), false);
    assert.equal(chainNeedsMfa(profile('x', { mfaSerial: 'm' }), 'x'), true);
  });
});
