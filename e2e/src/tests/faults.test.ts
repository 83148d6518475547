import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator } from '../emulator/server.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

/**
 * AWS misbehaving: 500s and throttling are retried with a bound (the SDK's standard retry mode,
 * AWS_MAX_ATTEMPTS), anything else fails with one line, and a failure never replaces a cached session.
 */
describe('faults at the AWS end', () => {
  let s: Scenario;
  const retrying = { AWS_MAX_ATTEMPTS: '3', AWS_MIN_TTL: '100h' };
  before(async () => {
    s = await startScenario();
    const warm = await s.vault(['export', '--format=json', 'dev']);
    assert.equal(warm.code, 0, warm.stderr);
  });
  beforeEach(() => {
    s.emulator.state.clearFaults();
    s.emulator.state.reset();
  });
  after(() => s.close());

  /** The cached sessions with their exact expiry: equal only if nothing replaced them. */
  async function sessionLabels(): Promise<string> {
    const listed = JSON.parse((await s.vault(['list', '--json'])).stdout) as { sessions: unknown[] };
    return JSON.stringify(listed.sessions);
  }

  it('a 500 and a Throttling answer are retried and the call then succeeds', async () => {
    s.emulator.state.failNext('GetSessionToken', { status: 500, code: 'InternalFailure', message: 'oops' });
    s.emulator.state.failNext('GetSessionToken', { status: 400, code: 'Throttling', message: 'Rate exceeded' });
    const r = await s.vault(['export', '--format=json', 'dev'], retrying);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 3);
  });

  it('retries are bounded: persistent throttling fails with one line and the cache is kept', async () => {
    const before = await sessionLabels();
    s.emulator.state.failNext('GetSessionToken', { status: 400, code: 'Throttling', message: 'Rate exceeded', times: 50 });
    const r = await s.vault(['export', 'dev'], retrying);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vault: error: profile dev: sts:GetSessionToken failed: Throttling: Rate exceeded/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 3);
    assert.equal(await sessionLabels(), before);
  });

  it('malformed XML fails with one line and no stack', async () => {
    s.emulator.state.failNext('GetSessionToken', { status: 200, code: 'Malformed', message: '', rawBody: '<GetSessionTokenResponse><oops' });
    const r = await s.vault(['export', 'dev'], { AWS_MIN_TTL: '100h' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vault: error: profile dev: sts:GetSessionToken failed: /);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('an endpoint that never answers times out with one line, within the bound', async () => {
    s.emulator.state.failNext('GetSessionToken', { status: 200, code: 'Slow', message: '', delayMs: 60_000 });
    const started = Date.now();
    const r = await s.vault(['export', 'dev'], { AWS_MIN_TTL: '100h', AWS_VAULT_HTTP_TIMEOUT: '2s' });
    assert.equal(r.code, 1);
    assert.ok(Date.now() - started < 30_000, 'bounded');
    assert.match(r.stderr, /^vault: error: profile dev: sts:GetSessionToken failed: .*(timed out|timeout)/i);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});

describe('a server clock 10 minutes off', () => {
  let s: Scenario;
  before(async () => {
    s = await startScenario();
  });
  after(() => s.close());

  it('the SDK corrects for the skew from the Date header and the call succeeds', async () => {
    // An emulator whose clock, for signatures and its Date header, runs 10 minutes ahead.
    const skewed = await startEmulator({ stateOptions: { signingClock: () => Date.now() + 10 * 60_000 } });
    try {
      const user = skewed.state.createUser('skew');
      s.home.writeConfig(`[profile skew]\nregion = us-east-1\nendpoint_url = ${skewed.url}\n`);
      const add = await s.vault(['add', '--env', 'skew'], { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey });
      assert.equal(add.code, 0, add.stderr);
      const r = await s.vault(['export', '--format=json', 'skew'], { AWS_MAX_ATTEMPTS: '3' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(JSON.parse(r.stdout).AccessKeyId, /^ASIA/);
    } finally {
      await skewed.close();
    }
  });
});
