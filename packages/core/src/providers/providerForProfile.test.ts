import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Backend } from '../backend.js';
import { loadAwsConfig, type AwsConfig } from '../config/loadAwsConfig.js';
import type { ProfileConfig } from '../config/ProfileConfig.js';
import { resolveProfile } from '../config/resolveProfile.js';
import type { Credentials } from '../credentials.js';
import { isVaultError } from '../errors.js';
import type { SourceDefinition, ClientConfig } from '../source.js';
import { CredentialStore } from '../store/credentialStore.js';
import { formatSessionKey, parseSessionKey } from '../store/sessionKey.js';
import { fixedPrompt, memoryBackend } from '../testing/index.js';
import { providerForProfile, type ProviderOptions } from './providerForProfile.js';
import type { SessionCredentials, StsApi, StsFactory } from './stsApi.js';

// ---------------------------------------------------------------------------------------------
// A fake STS that records every call and answers with deterministic credentials.

interface StsCall {
  action: 'GetSessionToken' | 'AssumeRole' | 'GetFederationToken' | 'GetCallerIdentity';
  input: Record<string, unknown>;
  /** The credentials the client was built with. */
  credentials: Credentials;
  config: ClientConfig;
  result?: SessionCredentials;
}

interface FakeSts {
  factory: StsFactory;
  calls: StsCall[];
}

function fakeSts(options: { now: number; expiration?: (call: StsCall) => Date; fail?: (call: StsCall) => unknown }): FakeSts {
  const calls: StsCall[] = [];
  const answer = async (call: StsCall): Promise<SessionCredentials> => {
    calls.push(call);
    const failure = options.fail?.(call);
    if (failure !== undefined) throw failure;
    const n = calls.length;
    const duration = typeof call.input['DurationSeconds'] === 'number' ? call.input['DurationSeconds'] : 3600;
    const result: SessionCredentials = {
      accessKeyId: `ASIA${call.action.toUpperCase()}${n}`,
      secretAccessKey: `secret-${n}`,
      sessionToken: `token-${n}`,
      expiration: options.expiration?.(call) ?? new Date(options.now + duration * 1000),
    };
    call.result = result;
    return result;
  };
  const factory: StsFactory = async (config, credentials) => {
    const base = { credentials: { ...credentials }, config: { ...config } };
    const api: StsApi = {
      getSessionToken: (input) => answer({ action: 'GetSessionToken', input: { ...input }, ...base }),
      assumeRole: (input) => answer({ action: 'AssumeRole', input: { ...input }, ...base }),
      getFederationToken: (input) => answer({ action: 'GetFederationToken', input: { ...input }, ...base }),
      getCallerIdentity: async () => {
        calls.push({ action: 'GetCallerIdentity', input: {}, ...base });
        return { Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/jonsmith', UserId: 'AIDA' };
      },
    };
    return api;
  };
  return { factory, calls };
}

// ---------------------------------------------------------------------------------------------
// aws-vault's README configuration (the 7-row table), plus a few profiles for the other cases.

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const NOW_S = NOW / 1000;
const SERIAL = 'arn:aws:iam::111111111111:mfa/jonsmith';
const OTHER_SERIAL = 'arn:aws:iam::111111111111:mfa/other';
const READONLY = 'arn:aws:iam::222222222222:role/ReadOnly';
const ADMIN = 'arn:aws:iam::222222222222:role/Administrator';
const ROLE1 = 'arn:aws:iam::333333333333:role/Role1';
const ROLE2 = 'arn:aws:iam::333333333333:role/Role2';
const JONSMITH_KEYS: Credentials = { accessKeyId: 'AKIAJONSMITH', secretAccessKey: 'jonsmith-secret' };

const CONFIG = `
[profile jonsmith]
region = us-east-1
mfa_serial = ${SERIAL}

[profile foo-readonly]
source_profile = jonsmith
role_arn = ${READONLY}
region = eu-west-1

[profile foo-admin]
source_profile = jonsmith
role_arn = ${ADMIN}
mfa_serial = ${SERIAL}
region = eu-west-1

[profile foo-admin-long]
source_profile = jonsmith
role_arn = ${ADMIN}
mfa_serial = ${SERIAL}
duration_seconds = 7200

[profile foo-other-mfa]
source_profile = jonsmith
role_arn = ${ADMIN}
mfa_serial = ${OTHER_SERIAL}

[profile bar-role1]
source_profile = jonsmith
role_arn = ${ROLE1}
mfa_serial = ${SERIAL}

[profile bar-role2]
source_profile = bar-role1
role_arn = ${ROLE2}
mfa_serial = ${SERIAL}

[profile long-role1]
source_profile = jonsmith
role_arn = ${ROLE1}
mfa_serial = ${SERIAL}
duration_seconds = 7200

[profile long-role2]
source_profile = long-role1
role_arn = ${ROLE2}
mfa_serial = ${SERIAL}
duration_seconds = 7200

[profile ops]
role_arn = arn:aws:iam::444444444444:role/Ops
mfa_serial = ${SERIAL}
source_profile = does-not-exist

[profile tagged]
source_profile = plain
role_arn = arn:aws:iam::555555555555:role/Tagged
role_session_name = jon-session
external_id = ext-123
source_identity = jonsmith
session_tags = team=platform,env=prod
transitive_session_tags = team

[profile plain]
region = ap-southeast-2

[profile empty]
region = eu-west-1

[profile orphan]
source_profile = nowhere
role_arn = ${ROLE1}

[profile sso-dev]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = Dev

[profile sso-long-role]
source_profile = sso-dev
role_arn = ${ROLE1}
duration_seconds = 7200
`;

const root = mkdtempSync(join(tmpdir(), 'vault-providers-'));
after(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, 'config'), CONFIG);
const config: AwsConfig = loadAwsConfig({ configFile: join(root, 'config'), credentialsFile: join(root, 'credentials') });

async function backendWith(keys: Record<string, Credentials> = { jonsmith: JONSMITH_KEYS, plain: { accessKeyId: 'AKIAPLAIN', secretAccessKey: 'plain-secret' } }): Promise<Backend & { items: Map<string, { key: string; data: Uint8Array }> }> {
  const backend = memoryBackend();
  const store = new CredentialStore(backend);
  for (const [name, credentials] of Object.entries(keys)) await store.set(name, credentials);
  return backend;
}

interface RunOptions {
  backend?: Backend;
  noSession?: boolean;
  durationSeconds?: number;
  mfaToken?: string;
  env?: Record<string, string>;
  now?: number;
  sts?: FakeSts;
  prompt?: ReturnType<typeof fixedPrompt>;
  extra?: Partial<ProviderOptions>;
}

async function compose(name: string, options: RunOptions = {}) {
  const backend = options.backend ?? (await backendWith());
  const now = options.now ?? NOW;
  const sts = options.sts ?? fakeSts({ now });
  const prompt = options.prompt ?? fixedPrompt('123456');
  const env = options.env ?? {};
  const profile = resolveProfile(config, name, {
    env,
    ...(options.durationSeconds !== undefined ? { durationSeconds: options.durationSeconds } : {}),
    ...(options.mfaToken !== undefined ? { mfaToken: options.mfaToken } : {}),
  });
  const provider = await providerForProfile(profile, {
    backend,
    env,
    mfaPrompt: prompt,
    sts: sts.factory,
    now: () => now,
    ...(options.noSession ? { noSession: true } : {}),
    ...options.extra,
  });
  return { provider, backend, sts, prompt, profile };
}

async function run(name: string, options: RunOptions = {}) {
  const composed = await compose(name, options);
  const credentials = await composed.provider();
  return { ...composed, credentials, calls: composed.sts.calls, asked: composed.prompt.asked };
}

/** Current-format session items in the backend, as their exact names. */
async function sessionItems(backend: Backend): Promise<string[]> {
  return (await backend.keys()).filter((key) => parseSessionKey(key) !== undefined).sort();
}

const session = (type: string, profileName: string, detail: string, seconds: number) => formatSessionKey({ type, profileName, detail, expiry: NOW_S + seconds });
const GST = 'sts.GetSessionToken';
const AR = 'sts.AssumeRole';
const US_EAST_1 = { region: 'us-east-1' };
const EU_WEST_1 = { region: 'eu-west-1' };
const SESSION_NAME = /^\d{19}$/;

function assertVaultError(code: string, ...fragments: string[]) {
  return (error: unknown) => {
    assert.ok(isVaultError(error), `expected a VaultError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `${JSON.stringify(error.message)} should contain ${JSON.stringify(fragment)}`);
    return true;
  };
}

// ---------------------------------------------------------------------------------------------

describe('providerForProfile: aws-vault\'s README table with ByteNess 7.11+ results', () => {
  it('exec jonsmith --no-session: the long-term keys, no STS call, nothing cached, no MFA', async () => {
    const { credentials, calls, asked, backend } = await run('jonsmith', { noSession: true });
    assert.deepEqual(credentials, JONSMITH_KEYS);
    assert.deepEqual(calls, []);
    assert.deepEqual(asked, []);
    assert.deepEqual(await sessionItems(backend), []);
  });

  it('exec jonsmith: GetSessionToken with MFA for 1h from the keys, session token cached', async () => {
    const { credentials, calls, asked, backend } = await run('jonsmith');
    assert.deepEqual(
      calls.map(({ action, input, credentials, config }) => ({ action, input, credentials, config })),
      [{ action: 'GetSessionToken', input: { DurationSeconds: 3600, SerialNumber: SERIAL, TokenCode: '123456' }, credentials: JONSMITH_KEYS, config: US_EAST_1 }],
    );
    assert.deepEqual(credentials, calls[0]?.result);
    assert.deepEqual(asked, [SERIAL]);
    assert.deepEqual(await sessionItems(backend), [session(GST, 'jonsmith', SERIAL, 3600)]);
  });

  it('exec foo-readonly: AssumeRole from the long-term keys, no MFA, nothing cached', async () => {
    const { credentials, calls, asked, backend } = await run('foo-readonly');
    assert.equal(calls.length, 1);
    const [call] = calls;
    assert.equal(call?.action, 'AssumeRole');
    assert.deepEqual(call?.credentials, JONSMITH_KEYS);
    assert.deepEqual(call?.config, EU_WEST_1);
    assert.equal(call?.input['RoleArn'], READONLY);
    assert.equal(call?.input['DurationSeconds'], 3600);
    assert.match(String(call?.input['RoleSessionName']), SESSION_NAME);
    assert.equal(call?.input['SerialNumber'], undefined);
    assert.equal(call?.input['TokenCode'], undefined);
    assert.deepEqual(credentials, call?.result);
    assert.deepEqual(asked, []);
    assert.deepEqual(await sessionItems(backend), []);
  });

  it('exec foo-admin: GetSessionToken(MFA, 8h chained) then AssumeRole without a second MFA; the session token is cached', async () => {
    const { credentials, calls, asked, backend } = await run('foo-admin');
    assert.deepEqual(calls.map((c) => c.action), ['GetSessionToken', 'AssumeRole']);
    const [gst, role] = calls;
    assert.deepEqual(gst?.input, { DurationSeconds: 8 * 3600, SerialNumber: SERIAL, TokenCode: '123456' });
    assert.deepEqual(gst?.credentials, JONSMITH_KEYS);
    assert.deepEqual(gst?.config, US_EAST_1);
    assert.equal(role?.input['RoleArn'], ADMIN);
    assert.equal(role?.input['DurationSeconds'], 3600);
    assert.equal(role?.input['SerialNumber'], undefined, 'MFA was already given to GetSessionToken');
    assert.equal(role?.input['TokenCode'], undefined);
    assert.deepEqual(role?.credentials, gst?.result);
    assert.deepEqual(role?.config, EU_WEST_1);
    assert.deepEqual(credentials, role?.result);
    assert.deepEqual(asked, [SERIAL]);
    assert.deepEqual(await sessionItems(backend), [session(GST, 'jonsmith', SERIAL, 8 * 3600)]);
  });

  it('exec foo-admin --duration=2h: AssumeRole with MFA straight from the long-term keys, not capped; the role is cached', async () => {
    const { credentials, calls, asked, backend } = await run('foo-admin', { durationSeconds: 7200 });
    assert.equal(calls.length, 1);
    const [role] = calls;
    assert.equal(role?.action, 'AssumeRole');
    assert.equal(role?.input['DurationSeconds'], 7200);
    assert.equal(role?.input['SerialNumber'], SERIAL);
    assert.equal(role?.input['TokenCode'], '123456');
    assert.deepEqual(role?.credentials, JONSMITH_KEYS);
    assert.deepEqual(credentials, role?.result);
    assert.deepEqual(asked, [SERIAL]);
    assert.deepEqual(await sessionItems(backend), [session(AR, 'foo-admin', SERIAL, 7200)]);
  });

  it('exec bar-role2: one GetSessionToken and two AssumeRoles, each from the previous credentials; one MFA prompt; session token cached', async () => {
    const { credentials, calls, asked, backend } = await run('bar-role2');
    assert.deepEqual(calls.map((c) => [c.action, c.input['RoleArn']]), [['GetSessionToken', undefined], ['AssumeRole', ROLE1], ['AssumeRole', ROLE2]]);
    const [gst, role1, role2] = calls;
    assert.deepEqual(gst?.input, { DurationSeconds: 8 * 3600, SerialNumber: SERIAL, TokenCode: '123456' });
    assert.deepEqual(gst?.credentials, JONSMITH_KEYS);
    assert.deepEqual(role1?.credentials, gst?.result);
    assert.deepEqual(role2?.credentials, role1?.result);
    for (const role of [role1, role2]) {
      assert.equal(role?.input['DurationSeconds'], 3600);
      assert.equal(role?.input['SerialNumber'], undefined);
      assert.equal(role?.input['TokenCode'], undefined);
      assert.deepEqual(role?.config, US_EAST_1);
    }
    assert.deepEqual(credentials, role2?.result);
    assert.deepEqual(asked, [SERIAL]);
    assert.deepEqual(await sessionItems(backend), [session(GST, 'jonsmith', SERIAL, 8 * 3600)]);
  });

  it('exec bar-role2 --no-session: AssumeRole(MFA) from the keys, then AssumeRole(MFA) from that role; both roles cached', async () => {
    const { credentials, calls, asked, backend } = await run('bar-role2', { noSession: true });
    assert.deepEqual(calls.map((c) => [c.action, c.input['RoleArn']]), [['AssumeRole', ROLE1], ['AssumeRole', ROLE2]]);
    const [role1, role2] = calls;
    assert.deepEqual(role1?.credentials, JONSMITH_KEYS);
    assert.deepEqual(role2?.credentials, role1?.result);
    assert.equal(role1?.input['SerialNumber'], SERIAL);
    assert.equal(role1?.input['TokenCode'], '123456');
    // aws-vault asks again for bar-role2's own mfa_serial; vault asks once per serial and reuses the code.
    assert.equal(role2?.input['SerialNumber'], SERIAL);
    assert.equal(role2?.input['TokenCode'], '123456');
    assert.deepEqual(asked, [SERIAL]);
    assert.deepEqual(credentials, role2?.result);
    assert.deepEqual(await sessionItems(backend), [session(AR, 'bar-role1', SERIAL, 3600), session(AR, 'bar-role2', SERIAL, 3600)].sort());
  });

  it('exec foo-readonly --no-session: the same single AssumeRole from the keys', async () => {
    const { calls, asked, backend } = await run('foo-readonly', { noSession: true });
    assert.deepEqual(calls.map((c) => [c.action, c.input['RoleArn'], c.credentials]), [['AssumeRole', READONLY, JONSMITH_KEYS]]);
    assert.deepEqual(asked, []);
    assert.deepEqual(await sessionItems(backend), []);
  });

  it('exec foo-admin --no-session: AssumeRole with MFA from the keys, the role cached', async () => {
    const { calls, asked, backend } = await run('foo-admin', { noSession: true });
    assert.deepEqual(calls.map((c) => [c.action, c.input['SerialNumber'], c.input['DurationSeconds'], c.credentials]), [['AssumeRole', SERIAL, 3600, JONSMITH_KEYS]]);
    assert.deepEqual(asked, [SERIAL]);
    assert.deepEqual(await sessionItems(backend), [session(AR, 'foo-admin', SERIAL, 3600)]);
  });
});

describe('providerForProfile: the ByteNess priming rules beyond the table', () => {
  it('assumes a single role with duration_seconds > 1h straight from the long-term keys (issue #290)', async () => {
    const { calls, asked, backend } = await run('foo-admin-long');
    assert.deepEqual(calls.map((c) => [c.action, c.input['DurationSeconds'], c.input['SerialNumber'], c.credentials]), [['AssumeRole', 7200, SERIAL, JONSMITH_KEYS]]);
    assert.deepEqual(asked, [SERIAL]);
    assert.deepEqual(await sessionItems(backend), [session(AR, 'foo-admin-long', SERIAL, 7200)]);
  });

  it('caps chained AssumeRoles to 3600 while GetSessionToken keeps its own duration', async () => {
    const { calls } = await run('long-role2');
    assert.deepEqual(calls.map((c) => [c.action, c.input['DurationSeconds']]), [['GetSessionToken', 8 * 3600], ['AssumeRole', 3600], ['AssumeRole', 3600]]);
  });

  it('gives the chained GetSessionToken AWS_CHAINED_SESSION_TOKEN_TTL, and --duration to everything (roles still capped)', async () => {
    let { calls } = await run('long-role2', { env: { AWS_CHAINED_SESSION_TOKEN_TTL: '12h' } });
    assert.deepEqual(calls.map((c) => c.input['DurationSeconds']), [43_200, 3600, 3600]);
    ({ calls } = await run('bar-role2', { durationSeconds: 7200 }));
    assert.deepEqual(calls.map((c) => c.input['DurationSeconds']), [7200, 3600, 3600]);
  });

  it('gives a non-chained GetSessionToken AWS_SESSION_TOKEN_TTL', async () => {
    const { calls, backend } = await run('jonsmith', { env: { AWS_SESSION_TOKEN_TTL: '2h' } });
    assert.deepEqual(calls.map((c) => c.input['DurationSeconds']), [7200]);
    assert.deepEqual(await sessionItems(backend), [session(GST, 'jonsmith', SERIAL, 7200)]);
  });

  it('skips GetSessionToken when the role\'s mfa_serial differs from the source\'s, and assumes with the role\'s MFA', async () => {
    const { calls, asked, backend } = await run('foo-other-mfa');
    assert.deepEqual(calls.map((c) => [c.action, c.input['SerialNumber'], c.credentials]), [['AssumeRole', OTHER_SERIAL, JONSMITH_KEYS]]);
    assert.deepEqual(asked, [OTHER_SERIAL]);
    assert.deepEqual(await sessionItems(backend), [session(AR, 'foo-other-mfa', OTHER_SERIAL, 3600)]);
  });

  it('primes with GetSessionToken when AWS_MFA_SERIAL gives the whole chain the same serial', async () => {
    const { calls, asked } = await run('foo-readonly', { env: { AWS_MFA_SERIAL: SERIAL } });
    assert.deepEqual(calls.map((c) => [c.action, c.input['SerialNumber']]), [['GetSessionToken', SERIAL], ['AssumeRole', undefined]]);
    assert.deepEqual(asked, [SERIAL]);
  });

  it('gives a profile without mfa_serial a non-MFA GetSessionToken session, cached with an empty serial', async () => {
    const { calls, asked, backend } = await run('plain');
    assert.deepEqual(calls.map((c) => [c.action, c.input, c.config]), [['GetSessionToken', { DurationSeconds: 3600 }, { region: 'ap-southeast-2' }]]);
    assert.deepEqual(asked, []);
    assert.deepEqual(await sessionItems(backend), [session(GST, 'plain', '', 3600)]);
  });

  it('assumes a role directly from a role profile\'s own keys, ignoring its source_profile', async () => {
    const opsKeys = { accessKeyId: 'AKIAOPS', secretAccessKey: 'ops-secret' };
    const { calls, asked, backend } = await run('ops', { backend: await backendWith({ ops: opsKeys }) });
    assert.deepEqual(calls.map((c) => [c.action, c.input['RoleArn'], c.input['SerialNumber'], c.credentials]), [['AssumeRole', 'arn:aws:iam::444444444444:role/Ops', SERIAL, opsKeys]]);
    assert.deepEqual(asked, [SERIAL]);
    assert.deepEqual(await sessionItems(backend), [session(AR, 'ops', SERIAL, 3600)]);
  });

  it('does not use GetSessionToken for login\'s target (noSessionForProfile), but does for its sources', async () => {
    let { credentials, calls } = await run('jonsmith', { extra: { noSessionForProfile: 'jonsmith' } });
    assert.deepEqual(credentials, JONSMITH_KEYS);
    assert.deepEqual(calls, []);
    ({ calls } = await run('foo-admin', { extra: { noSessionForProfile: 'foo-admin' } }));
    assert.deepEqual(calls.map((c) => c.action), ['GetSessionToken', 'AssumeRole']);
  });

  it('sends every AssumeRole parameter the profile sets: ExternalId, RoleSessionName, SourceIdentity, Tags, TransitiveTagKeys', async () => {
    const { calls } = await run('tagged', { noSession: true });
    assert.deepEqual(calls[0]?.input, {
      RoleArn: 'arn:aws:iam::555555555555:role/Tagged',
      RoleSessionName: 'jon-session',
      DurationSeconds: 3600,
      ExternalId: 'ext-123',
      SourceIdentity: 'jonsmith',
      Tags: [
        { Key: 'team', Value: 'platform' },
        { Key: 'env', Value: 'prod' },
      ],
      TransitiveTagKeys: ['team'],
    });
    assert.deepEqual(calls[0]?.credentials, { accessKeyId: 'AKIAPLAIN', secretAccessKey: 'plain-secret' });
    assert.deepEqual(calls[0]?.config, { region: 'us-east-1' });
  });

  it('uses the --mfa-token code instead of prompting, for every MFA call', async () => {
    let { calls, asked } = await run('foo-admin', { mfaToken: '987654' });
    assert.equal(calls[0]?.input['TokenCode'], '987654');
    assert.deepEqual(asked, []);
    ({ calls, asked } = await run('bar-role2', { mfaToken: '987654', noSession: true }));
    assert.deepEqual(calls.map((c) => c.input['TokenCode']), ['987654', '987654']);
    assert.deepEqual(asked, []);
  });

  it('calls nothing and prompts for nothing until the provider is called', async () => {
    const { sts, prompt, backend } = await compose('bar-role2');
    assert.deepEqual(sts.calls, []);
    assert.deepEqual(prompt.asked, []);
    assert.deepEqual(await sessionItems(backend), []);
  });

  it('caches nothing when the cache is off (rotate)', async () => {
    const { calls, backend } = await run('foo-admin', { extra: { useCache: false } });
    assert.deepEqual(calls.map((c) => c.action), ['GetSessionToken', 'AssumeRole']);
    assert.deepEqual(await sessionItems(backend), []);
    assert.deepEqual(await backend.keys(), ['jonsmith', 'plain']);
  });
});

describe('providerForProfile: the session cache', () => {
  it('reuses the cached session on a second run: no STS call, no prompt', async () => {
    const first = await run('jonsmith');
    const second = await run('jonsmith', { backend: first.backend });
    assert.deepEqual(second.calls, []);
    assert.deepEqual(second.asked, []);
    assert.deepEqual(second.credentials, first.credentials);
    assert.deepEqual(await sessionItems(second.backend), [session(GST, 'jonsmith', SERIAL, 3600)]);
  });

  it('reuses the cached GetSessionToken under a role and only re-assumes the (uncached) role', async () => {
    const first = await run('foo-admin');
    const second = await run('foo-admin', { backend: first.backend });
    assert.deepEqual(second.calls.map((c) => c.action), ['AssumeRole']);
    assert.deepEqual(second.calls[0]?.credentials, first.calls[0]?.result);
    assert.deepEqual(second.asked, []);
  });

  it('shares one cached GetSessionToken between role profiles with the same source and serial (issue #392)', async () => {
    const first = await run('foo-admin');
    const second = await run('bar-role2', { backend: first.backend });
    assert.deepEqual(second.calls.map((c) => [c.action, c.input['RoleArn']]), [['AssumeRole', ROLE1], ['AssumeRole', ROLE2]]);
    assert.deepEqual(second.calls[0]?.credentials, first.calls[0]?.result);
    assert.deepEqual(second.asked, []);
  });

  it('reuses a cached MFA role session on a second run', async () => {
    const first = await run('foo-admin', { durationSeconds: 7200 });
    const second = await run('foo-admin', { backend: first.backend, durationSeconds: 7200 });
    assert.deepEqual(second.calls, []);
    assert.deepEqual(second.asked, []);
    assert.deepEqual(second.credentials, first.credentials);
  });

  it('refreshes a session with less than five minutes left, replacing the old item', async () => {
    const first = await run('jonsmith', { sts: fakeSts({ now: NOW, expiration: () => new Date(NOW + 4 * 60_000) }) });
    assert.deepEqual(await sessionItems(first.backend), [session(GST, 'jonsmith', SERIAL, 240)]);
    const second = await run('jonsmith', { backend: first.backend });
    assert.deepEqual(second.calls.map((c) => c.action), ['GetSessionToken']);
    assert.deepEqual(second.asked, [SERIAL]);
    assert.notDeepEqual(second.credentials, first.credentials);
    assert.deepEqual(await sessionItems(second.backend), [session(GST, 'jonsmith', SERIAL, 3600)]);
  });

  it('honours AWS_MIN_TTL both ways', async () => {
    const first = await run('jonsmith', { sts: fakeSts({ now: NOW, expiration: () => new Date(NOW + 8 * 60_000) }) });
    const reused = await run('jonsmith', { backend: first.backend, env: { AWS_MIN_TTL: '1m' } });
    assert.deepEqual(reused.calls, []);
    const refreshed = await run('jonsmith', { backend: first.backend, env: { AWS_MIN_TTL: '10m' } });
    assert.deepEqual(refreshed.calls.map((c) => c.action), ['GetSessionToken']);
  });

  it('rejects an AWS_MIN_TTL without a unit as ENV_INVALID', async () => {
    await assert.rejects(compose('jonsmith', { env: { AWS_MIN_TTL: '300' } }), assertVaultError('ENV_INVALID', 'AWS_MIN_TTL=300'));
  });

  it('treats a session that expired as gone: it is deleted and a new one fetched', async () => {
    const first = await run('jonsmith');
    const later = NOW + 2 * 3600_000;
    const second = await run('jonsmith', { backend: first.backend, now: later });
    assert.deepEqual(second.calls.map((c) => c.action), ['GetSessionToken']);
    assert.deepEqual(await sessionItems(second.backend), [formatSessionKey({ type: GST, profileName: 'jonsmith', detail: SERIAL, expiry: later / 1000 + 3600 })]);
  });

  it('leaves the cache untouched when the STS call fails, and reports it on one line naming profile and call', async () => {
    const backend = await backendWith();
    await run('jonsmith', { backend, sts: fakeSts({ now: NOW, expiration: () => new Date(NOW + 2 * 60_000) }) });
    const before = new Map([...backend.items].map(([key, item]) => [key, Buffer.from(item.data).toString()]));
    const failing = fakeSts({
      now: NOW,
      fail: () => Object.assign(new Error('The security token included in the request is invalid.'), { name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } }),
    });
    await assert.rejects(
      run('jonsmith', { backend, sts: failing }),
      assertVaultError('AWS_CALL_FAILED', 'profile jonsmith: sts:GetSessionToken failed: InvalidClientTokenId: The security token included in the request is invalid.'),
    );
    assert.equal(failing.calls.length, 1);
    assert.equal(before.size, 3);
    const afterwards = new Map([...backend.items].map(([key, item]) => [key, Buffer.from(item.data).toString()]));
    assert.deepEqual(afterwards, before);
  });

  it('keeps the GetSessionToken session when the AssumeRole after it fails', async () => {
    const sts = fakeSts({ now: NOW, fail: (call) => (call.action === 'AssumeRole' ? Object.assign(new Error('not allowed'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }) : undefined) });
    const backend = await backendWith();
    await assert.rejects(run('foo-admin', { backend, sts }), assertVaultError('AWS_CALL_FAILED', 'profile foo-admin: sts:AssumeRole failed: AccessDenied: not allowed'));
    assert.deepEqual(await sessionItems(backend), [session(GST, 'jonsmith', SERIAL, 8 * 3600)]);
  });
});

describe('providerForProfile: missing profiles and credentials', () => {
  it('rejects a profile with no section and no stored keys as PROFILE_NOT_FOUND, naming the files read', async () => {
    const profile = resolveProfile(config, 'ghost', { env: {} });
    await assert.rejects(
      providerForProfile(profile, { backend: await backendWith(), env: {}, mfaPrompt: fixedPrompt('1'), configFiles: ['/home/u/.aws/config', '/home/u/.aws/credentials'] }),
      assertVaultError('PROFILE_NOT_FOUND', 'profile ghost', '/home/u/.aws/config or /home/u/.aws/credentials'),
    );
  });

  it('accepts a profile with no section when keys are stored under its name', async () => {
    const keys = { accessKeyId: 'AKIAGHOST', secretAccessKey: 's' };
    const { calls } = await run('ghost', { backend: await backendWith({ ghost: keys }) });
    assert.deepEqual(calls.map((c) => [c.action, c.credentials, c.config]), [['GetSessionToken', keys, { region: 'us-east-1' }]]);
  });

  it('rejects a source_profile with no section and no keys as PROFILE_NOT_FOUND naming both profiles', async () => {
    await assert.rejects(compose('orphan'), assertVaultError('PROFILE_NOT_FOUND', 'orphan', 'nowhere'));
  });

  it('rejects a profile with neither keys nor a source as NO_CREDENTIALS', async () => {
    await assert.rejects(compose('empty'), assertVaultError('NO_CREDENTIALS', 'profile empty'));
  });

  it('reports stored keys that are unreadable when the provider runs', async () => {
    const backend = memoryBackend([{ key: 'jonsmith', data: new TextEncoder().encode('not json') }]);
    const { provider } = await compose('jonsmith', { backend });
    await assert.rejects(provider(), assertVaultError('CREDENTIALS_CORRUPT', 'profile jonsmith'));
  });
});

describe('providerForProfile: plugin credential sources', () => {
  function fakeSso(): SourceDefinition & { created: ProfileConfig[]; retrieved: number } {
    const source = {
      kind: 'source' as const,
      name: 'sso',
      sessionType: 'sso.GetRoleCredentials',
      created: [] as ProfileConfig[],
      retrieved: 0,
      sessionKeyDetail: (profile: ProfileConfig) => profile.ssoStartUrl ?? '',
      matches: (profile: ProfileConfig) => profile.ssoStartUrl !== undefined,
      create(profile: ProfileConfig) {
        source.created.push(profile);
        return async () => {
          source.retrieved++;
          return { accessKeyId: 'ASIASSO', secretAccessKey: 'sso-secret', sessionToken: 'sso-token', expiration: new Date(NOW + 3600_000) };
        };
      },
    };
    return source;
  }

  it('uses the first source that claims the profile and caches its session under the source\'s type and detail', async () => {
    const sso = fakeSso();
    const { credentials, calls, backend } = await run('sso-dev', { extra: { sources: [sso] } });
    assert.equal(credentials.accessKeyId, 'ASIASSO');
    assert.deepEqual(calls, []);
    assert.deepEqual(sso.created.map((p) => p.name), ['sso-dev']);
    assert.deepEqual(await sessionItems(backend), [session('sso.GetRoleCredentials', 'sso-dev', 'https://corp.awsapps.com/start', 3600)]);
    const again = await run('sso-dev', { backend, extra: { sources: [sso] } });
    assert.equal(again.credentials.accessKeyId, 'ASIASSO');
    assert.equal(sso.retrieved, 1, 'the second run reads the cache');
  });

  it('assumes a role from a source\'s credentials without the role-chaining cap', async () => {
    const { calls } = await run('sso-long-role', { extra: { sources: [fakeSso()] } });
    assert.deepEqual(calls.map((c) => [c.action, c.input['DurationSeconds'], c.credentials.accessKeyId]), [['AssumeRole', 7200, 'ASIASSO']]);
  });

  it('prefers keys stored under the profile\'s name over a source that claims it', async () => {
    const sso = fakeSso();
    const keys = { accessKeyId: 'AKIASSODEV', secretAccessKey: 's' };
    const { calls } = await run('sso-dev', { backend: await backendWith({ 'sso-dev': keys }), extra: { sources: [sso] }, noSession: true });
    assert.deepEqual(calls, []);
    assert.deepEqual(sso.created, []);
  });
});
