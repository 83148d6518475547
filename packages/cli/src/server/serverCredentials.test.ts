import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VaultError, type Credentials } from '@awsvault/core';
import { ec2CredentialsBody, ecsCredentialsBody, publicMessage, RefreshingCredentials, refreshTime, refreshWindowMs } from './serverCredentials.js';
import { fakeAccessKeyId } from '@awsvault/core/testing';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

function fakeProvider(lifetimeMs: number, clock: { now: number }) {
  let calls = 0;
  const provider = async (): Promise<Credentials> => {
    calls++;
    return { accessKeyId: `ASIAFAKE${String(calls).padStart(12, '0')}`, secretAccessKey: `secret-${calls}`.padEnd(40, 'x'), sessionToken: `token-${calls}`, expiration: new Date(clock.now + lifetimeMs) };
  };
  return { provider, calls: () => calls };
}

describe('refreshWindowMs', () => {
  it('is AWS_MIN_TTL, default five minutes, and refuses what is not a duration', () => {
    assert.equal(refreshWindowMs({}), 5 * MIN);
    assert.equal(refreshWindowMs({ AWS_MIN_TTL: '10s' }), 10_000);
    assert.equal(refreshWindowMs({ AWS_MIN_TTL: '0' }), 0);
    assert.throws(() => refreshWindowMs({ AWS_MIN_TTL: '300' }), (e: VaultError) => e.code === 'ENV_INVALID' && /AWS_MIN_TTL=300/.test(e.message));
  });
});

describe('refreshTime', () => {
  it('is the window before expiry, not before half the lifetime, never within a second', () => {
    assert.equal(refreshTime(T0, T0 + 60 * MIN, 5 * MIN), T0 + 55 * MIN);
    assert.equal(refreshTime(T0, T0 + 15 * MIN, 20 * MIN), T0 + 7.5 * MIN);
    assert.equal(refreshTime(T0, T0 - 1000, 5 * MIN), T0 + 1000);
    assert.equal(refreshTime(T0, undefined, 5 * MIN), Number.POSITIVE_INFINITY);
  });
});

describe('RefreshingCredentials', () => {
  it('fetches once for concurrent requests and reuses the result until the refresh time', async () => {
    const clock = { now: T0 };
    const p = fakeProvider(60 * MIN, clock);
    const held = new RefreshingCredentials(p.provider, { label: 't', windowMs: 5 * MIN, now: () => clock.now });
    const all = await Promise.all(Array.from({ length: 50 }, () => held.get()));
    assert.equal(p.calls(), 1);
    assert.ok(all.every((c) => c === all[0]));
    clock.now += 54 * MIN;
    assert.equal((await held.get()).accessKeyId, all[0]?.accessKeyId);
    assert.equal(p.calls(), 1);
    clock.now += 1 * MIN + 1;
    assert.notEqual((await held.get()).accessKeyId, all[0]?.accessKeyId);
    assert.equal(p.calls(), 2, 'refreshed five minutes before expiry (not at expiry, as aws-vault did)');
  });

  it('keeps fresh credentials across many expiries of short sessions', async () => {
    const clock = { now: T0 };
    const p = fakeProvider(15 * MIN, clock);
    const held = new RefreshingCredentials(p.provider, { label: 't', windowMs: 5 * MIN, now: () => clock.now });
    for (let minute = 0; minute < 24 * 60; minute++) {
      const c = await held.get();
      assert.ok((c.expiration?.getTime() ?? 0) - clock.now >= 5 * MIN, `at minute ${minute}`);
      clock.now += MIN;
    }
    assert.equal(p.calls(), 24 * 6, 'one fetch every 10 minutes for a day');
  });

  it('serves the held credentials when a refresh fails and they are still valid, and retries a second later', async () => {
    const clock = { now: T0 };
    const p = fakeProvider(60 * MIN, clock);
    let fail = false;
    const held = new RefreshingCredentials(async () => {
      if (fail) throw new VaultError('AWS_CALL_FAILED', 'profile dev: sts:GetSessionToken failed: Throttling');
      return p.provider();
    }, { label: 't', windowMs: 5 * MIN, now: () => clock.now });
    const first = await held.get();
    clock.now += 56 * MIN;
    fail = true;
    assert.equal(await held.get(), first);
    fail = false;
    assert.equal(await held.get(), first, 'within the second after a failure nothing is called');
    assert.equal(p.calls(), 1);
    clock.now += 1000;
    assert.notEqual(await held.get(), first);
  });

  it('reports a failure with nothing valid to serve, remembers it for a second, then tries again', async () => {
    const clock = { now: T0 };
    let calls = 0;
    const held = new RefreshingCredentials(async () => {
      calls++;
      throw new VaultError('AWS_CALL_FAILED', 'profile dev: failed');
    }, { label: 't', windowMs: 5 * MIN, now: () => clock.now });
    await assert.rejects(held.get(), /failed/);
    await assert.rejects(held.get(), /failed/);
    assert.equal(calls, 1);
    clock.now += 1000;
    await assert.rejects(held.get(), /failed/);
    assert.equal(calls, 2);
  });

  it('never refreshes credentials that do not expire, and lists what it holds as secrets', async () => {
    let calls = 0;
    const held = new RefreshingCredentials(async () => {
      calls++;
      return { accessKeyId: fakeAccessKeyId('FAKE000000000001'), secretAccessKey: 's'.repeat(40) };
    }, { label: 't', windowMs: 5 * MIN });
    await held.get();
    await held.get();
    assert.equal(calls, 1);
    assert.deepEqual(held.secrets(), [fakeAccessKeyId('FAKE000000000001'), 's'.repeat(40)]);
  });
});

describe('server bodies', () => {
  const c: Credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'SECRET', sessionToken: 'TOKEN', expiration: new Date(T0 + 3600_000) };

  it('ECS: aws-vault\'s four keys, sorted, and a newline', () => {
    assert.equal(ecsCredentialsBody(c, T0), '{"AccessKeyId":"ASIAEXAMPLE","Expiration":"2024-01-01T13:00:00Z","SecretAccessKey":"SECRET","Token":"TOKEN"}\n');
  });

  it('EC2: aws-vault\'s seven keys, sorted, and a newline', () => {
    assert.equal(
      ec2CredentialsBody(c, T0 + 1500),
      '{"AccessKeyId":"ASIAEXAMPLE","Code":"Success","Expiration":"2024-01-01T13:00:00Z","LastUpdated":"2024-01-01T12:00:01Z","SecretAccessKey":"SECRET","Token":"TOKEN","Type":"AWS-HMAC"}\n',
    );
  });

  it('long-term keys get an empty token and an expiry an hour away, which SDKs require', () => {
    const body = JSON.parse(ecsCredentialsBody({ accessKeyId: 'AKIA', secretAccessKey: 'S' }, T0));
    assert.deepEqual(body, { AccessKeyId: 'AKIA', Expiration: '2024-01-01T13:00:00Z', SecretAccessKey: 'S', Token: '' });
  });
});

describe('publicMessage', () => {
  it('keeps vault errors, one line, with secrets and key-shaped strings masked', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const error = new VaultError('X', `profile dev: sts:AssumeRole failed for ASIAIOSFODNN7EXAMPLE with ${secret}\nand shortsecret1 and ${'A'.repeat(300)}`);
    const text = publicMessage(error, ['shortsecret1', secret]);
    assert.equal(text, 'profile dev: sts:AssumeRole failed for ****************MPLE with **** and **** and ****');
  });

  it('does not pass on the text of foreign errors', () => {
    assert.equal(publicMessage(new Error('socket hang up with Authorization: abc'), []), 'could not get credentials');
    assert.equal(publicMessage('weird', [], 'fallback'), 'fallback');
  });

  it('cuts long messages', () => {
    assert.equal(publicMessage(new VaultError('X', 'word '.repeat(300)), []).length, 501);
  });
});
