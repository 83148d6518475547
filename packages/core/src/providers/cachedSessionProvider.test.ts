import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileConfig } from '../config/ProfileConfig.js';
import type { Credentials } from '../credentials.js';
import { isVaultError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { CredentialStore } from '../store/credentialStore.js';
import { SessionStore } from '../store/sessionStore.js';
import { memoryBackend } from '../testing/index.js';
import { defaultRoleSessionName } from './assumeRoleProvider.js';
import { cachedSessionProvider, DEFAULT_MIN_TTL_SECONDS } from './cachedSessionProvider.js';
import { masterCredentialsProvider } from './masterCredentialsProvider.js';
import { sessionTokenProvider } from './sessionTokenProvider.js';
import type { StsFactory } from './stsApi.js';

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);

function counting(result: Credentials): (() => Promise<Credentials>) & { calls: number } {
  const inner = async () => {
    inner.calls++;
    return result;
  };
  inner.calls = 0;
  return inner;
}

describe('cachedSessionProvider', () => {
  const options = (sessions: SessionStore) => ({ sessions, type: 'credential_process', profileName: 'p', detail: '', minTtlSeconds: DEFAULT_MIN_TTL_SECONDS, now: () => NOW, debug: silentLogger });

  it('keeps five minutes as the default minimum remaining lifetime', () => {
    assert.equal(DEFAULT_MIN_TTL_SECONDS, 300);
  });

  it('stores a fresh session and serves it from the store next time', async () => {
    const backend = memoryBackend();
    const sessions = new SessionStore(backend, { now: () => NOW });
    const inner = counting({ accessKeyId: 'ASIA', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date(NOW + 3600_000) });
    const provider = cachedSessionProvider(inner, options(sessions));
    const first = await provider();
    const second = await provider();
    assert.equal(inner.calls, 1);
    assert.deepEqual(second, first);
    assert.equal(backend.items.size, 1);
  });

  it('reuses a session with exactly the minimum left, and refreshes one with a second less', async () => {
    for (const [left, calls] of [[300_000, 0], [299_000, 1]] as const) {
      const sessions = new SessionStore(memoryBackend(), { now: () => NOW });
      await sessions.set('credential_process', 'p', '', { accessKeyId: 'OLD', secretAccessKey: 'S', expiration: new Date(NOW + left) });
      const inner = counting({ accessKeyId: 'NEW', secretAccessKey: 'S', expiration: new Date(NOW + 3600_000) });
      await cachedSessionProvider(inner, options(sessions))();
      assert.equal(inner.calls, calls, `${left} ms left`);
    }
  });

  it('does not cache credentials without an expiry', async () => {
    const backend = memoryBackend();
    const inner = counting({ accessKeyId: 'AKIA', secretAccessKey: 'S' });
    const provider = cachedSessionProvider(inner, options(new SessionStore(backend, { now: () => NOW })));
    await provider();
    await provider();
    assert.equal(inner.calls, 2);
    assert.equal(backend.items.size, 0);
  });
});

describe('masterCredentialsProvider', () => {
  it('returns the stored keys', async () => {
    const store = new CredentialStore(memoryBackend());
    await store.set('dev', { accessKeyId: 'AKIA', secretAccessKey: 'S' });
    assert.deepEqual(await masterCredentialsProvider(store, 'dev', silentLogger)(), { accessKeyId: 'AKIA', secretAccessKey: 'S' });
  });

  it('turns a missing item into NO_CREDENTIALS with a vault add hint', async () => {
    await assert.rejects(masterCredentialsProvider(new CredentialStore(memoryBackend()), 'dev', silentLogger)(), (error: unknown) => {
      assert.ok(isVaultError(error));
      assert.equal(error.code, 'NO_CREDENTIALS');
      assert.match(error.message, /profile dev/);
      assert.match(error.hint ?? '', /vault add dev/);
      return true;
    });
  });
});

describe('sessionTokenProvider', () => {
  it('does not ask for MFA when no serial is given, and sends only DurationSeconds', async () => {
    const inputs: unknown[] = [];
    const sts: StsFactory = async () => ({
      getSessionToken: async (input) => {
        inputs.push(input);
        return { accessKeyId: 'ASIA', secretAccessKey: 'S', expiration: new Date(NOW + 900_000) };
      },
      assumeRole: async () => assert.fail('unexpected'),
      getFederationToken: async () => assert.fail('unexpected'),
      getCallerIdentity: async () => assert.fail('unexpected'),
    });
    const profile = { name: 'p' } as ProfileConfig;
    const provider = sessionTokenProvider({
      source: async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'S' }),
      profile,
      durationSeconds: 900,
      mfaCode: async () => assert.fail('no MFA expected'),
      clientConfig: { region: 'us-east-1' },
      sts,
      debug: silentLogger,
    });
    await provider();
    assert.deepEqual(inputs, [{ DurationSeconds: 900 }]);
  });

  it('does not call STS when the source fails', async () => {
    let built = 0;
    const sts: StsFactory = async () => {
      built++;
      throw new Error('unexpected');
    };
    const provider = sessionTokenProvider({
      source: async () => {
        throw new Error('no keys');
      },
      profile: { name: 'p' } as ProfileConfig,
      durationSeconds: 900,
      mfaCode: async () => '1',
      clientConfig: { region: 'us-east-1' },
      sts,
      debug: silentLogger,
    });
    await assert.rejects(provider(), /no keys/);
    assert.equal(built, 0);
  });
});

describe('defaultRoleSessionName', () => {
  it('is the time in nanoseconds as a decimal string, as aws-vault names role sessions', () => {
    const name = defaultRoleSessionName(1_700_000_000_123);
    assert.match(name, /^1700000000123\d{6}$/);
  });
});
