import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultLockDir, isVaultError, parseOidcTokenPayload, withFileLock, type Backend, type ProfileConfig, type SourceContext } from '@awsvault/core';
import { memoryBackend } from '@awsvault/core/testing';
import { awsCliSsoCachePath, readAwsCliSsoCache, writeAwsCliSsoCache } from './awsCliSsoCache.js';
import { browserThatSignsIn, FakeIdentityCenter, fakeIo } from './fakeSsoApi.test.util.js';
import type { OpenResult } from './openBrowser.js';
import { ssoProvider } from './ssoProvider.js';

const START = 'https://corp.awsapps.com/start';
const KEY = `oidc:${START}`;

function ssoProfile(extra: Partial<ProfileConfig> = {}): ProfileConfig {
  return {
    name: 'dev', hasSection: true, assumeRoleDuration: 3600, sessionTokenDuration: 3600, chainedSessionTokenDuration: 28800, federationTokenDuration: 3600,
    durationFromFlag: false, origins: {}, ssoStartUrl: START, ssoRegion: 'eu-west-1', ssoAccountId: '111122223333', ssoRoleName: 'Admin', ...extra,
  };
}

const homes: string[] = [];
after(() => homes.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vault-sso-'));
  homes.push(dir);
  return dir;
}

interface Setup {
  idc: FakeIdentityCenter;
  backend: Backend & { items: Map<string, { data: Uint8Array }> };
  io: ReturnType<typeof fakeIo>;
  home: string;
  call(profile?: ProfileConfig, env?: Record<string, string>): Promise<{ accessKeyId: string }>;
}

function setup(options: { env?: Record<string, string>; browser?: (url: string) => Promise<OpenResult>; stdout?: boolean; lock?: 'file' | 'default'; hasTerminal?: () => boolean } = {}): Setup {
  const idc = new FakeIdentityCenter();
  const backend = memoryBackend();
  const io = fakeIo(idc, options.browser ? { browser: options.browser } : {});
  const home = tempHome();
  const call = async (profile = ssoProfile(), env: Record<string, string> = {}) => {
    const ctx: SourceContext = {
      backend,
      mfaPrompt: async () => assert.fail('no MFA'),
      clientConfig: (_service, p) => ({ region: p.ssoRegion ?? 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
      env: { AWS_VAULT_SSO_FLOW: 'device', ...options.env, ...env },
      debug: () => {},
      ...(options.stdout ? { stdout: true } : {}),
    };
    const lockDir = join(home, 'locks');
    const provider = ssoProvider(profile, ctx, {
      // a person at a terminal, unless a test says otherwise (signInGate.test.ts covers the rest)
      api: idc, io, home, platform: 'linux', hasTerminal: options.hasTerminal ?? (() => true),
      ...(options.lock === 'default' ? {} : options.lock === 'file' ? { lock: <T>(name: string, fn: () => Promise<T>) => withFileLock(lockDir, name, fn) } : { lock: <T>(_: string, fn: () => Promise<T>) => fn() }),
    });
    return provider();
  };
  return { idc, backend, io, home, call };
}

const stored = (s: Setup) => parseOidcTokenPayload(s.backend.items.get(KEY)?.data ?? new Uint8Array());

async function rejection(promise: Promise<unknown>): Promise<Error & { code: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isVaultError(error), `a VaultError, got ${String(error)}`);
    return error as Error & { code: string; hint?: string };
  }
  assert.fail('expected a rejection');
}

describe('ssoProvider: device sign-in and the stored token', () => {
  it('signs in once, prints the link and code, stores the token as aws-vault does, and reuses it', async () => {
    const s = setup();
    const first = await s.call();
    assert.match(first.accessKeyId, /^ASIAROLE/);
    assert.deepEqual(s.idc.calls, { register: 1, startDevice: 1, deviceToken: 1, refresh: 0, code: 0, roleCredentials: 1 });
    assert.match(s.io.output(), /^Opening the SSO authorization page in your default browser \(use Ctrl-C to abort\)\nhttps:\/\/device\.example\/\?user_code=CODE-\d{4}\nConfirmation code: CODE-\d{4} \(profile dev;/);
    assert.equal(s.io.opened.length, 1, 'the link is opened in the browser');
    const item = s.backend.items.get(KEY) as { data: Uint8Array; label?: string; description?: string };
    assert.match(item.label ?? '', /^aws-vault oidc token for https:\/\/corp\.awsapps\.com\/start \(expires 2024-01-01T20:00:0\dZ\)$/);
    assert.equal(item.description, 'aws-vault oidc token');
    const payload = JSON.parse(new TextDecoder().decode(item.data));
    assert.deepEqual(Object.keys(payload.Token), ['AccessToken', 'ExpiresIn', 'IdToken', 'RefreshToken', 'TokenType', 'ResultMetadata']);
    assert.equal(payload.Token.ExpiresIn, 28800);
    assert.equal(payload.Registration.Flow, 'device');

    const second = await s.call();
    assert.notEqual(second.accessKeyId, first.accessKeyId);
    assert.equal(s.idc.calls.startDevice, 1, 'no second sign-in');
    assert.equal(s.idc.calls.register, 1);
  });

  it('registers with sso_registration_scopes (default sso:account:access) as a public client named vault', async () => {
    const s = setup();
    await s.call(ssoProfile({ ssoRegistrationScopes: 'sso:account:access, codewhisperer:completions' }));
    assert.deepEqual(s.idc.registrations[0], { clientName: 'vault', clientType: 'public', scopes: ['sso:account:access', 'codewhisperer:completions'] });
    const t = setup();
    await t.call();
    assert.deepEqual(t.idc.registrations[0]?.['scopes'], ['sso:account:access']);
  });

  it('--stdout prints the link without opening a browser', async () => {
    const s = setup({ stdout: true });
    await s.call();
    assert.match(s.io.output(), /^Open the SSO authorization page in a browser \(use Ctrl-C to abort\)\n/);
    assert.equal(s.io.opened.length, 0);
  });

  it('reports a browser that cannot be opened and keeps waiting for the code', async () => {
    const s = setup({ browser: async () => ({ ok: false, reason: 'xdg-open was not found' }) });
    await s.call();
    assert.match(s.io.output(), /vault: could not open a browser \(xdg-open was not found\); open the link above yourself/);
  });
});

describe('ssoProvider: refresh tokens', () => {
  it('renews a token near or past its expiry with the refresh-token grant, without a sign-in', async () => {
    const s = setup();
    await s.call();
    const before = stored(s);
    s.idc.now += 8 * 3600 * 1000 + 60_000;
    await s.call();
    assert.equal(s.idc.calls.refresh, 1);
    assert.equal(s.idc.calls.startDevice, 1);
    const after = stored(s);
    assert.notEqual(after?.accessToken, before?.accessToken);
    assert.notEqual(after?.refreshToken, before?.refreshToken, 'the rotated refresh token is stored');
    assert.equal(s.idc.roleRequests.at(-1)?.accessToken, after?.accessToken);
    assert.deepEqual(after?.registration, before?.registration);

    s.idc.now += 8 * 3600 * 1000 - 10 * 60_000; // 10 minutes left: inside the 15-minute window
    await s.call();
    assert.equal(s.idc.calls.refresh, 2);
  });

  it('does not renew a short-lived token that was just issued, only once it has aged', async () => {
    const s = setup();
    s.idc.tokenTtlSeconds = 300;
    await s.call();
    await s.call();
    assert.equal(s.idc.calls.refresh, 0);
    s.idc.now += 2 * 60_000;
    await s.call();
    assert.equal(s.idc.calls.refresh, 1);
    await s.call();
    assert.equal(s.idc.calls.refresh, 1, 'the renewed token is young again');
  });

  it('signs in again when the refresh token is refused, reusing the stored client', async () => {
    const s = setup();
    await s.call();
    s.idc.revokeAll();
    s.idc.now += 9 * 3600 * 1000;
    await s.call();
    assert.equal(s.idc.calls.refresh, 1);
    assert.equal(s.idc.calls.startDevice, 2);
    assert.equal(s.idc.calls.register, 1, 'the client registration is kept until it expires');
  });

  it('a legacy token without a refresh token is used until it expires, then replaced by a sign-in', async () => {
    const s = setup();
    const legacy = '{"Token":{"AccessToken":"aws-vault-token","ExpiresIn":100,"IdToken":null,"RefreshToken":null,"TokenType":"Bearer","ResultMetadata":{}},"Expiration":"2024-01-01T12:10:00+00:00"}';
    s.backend.items.set(KEY, { key: KEY, data: new TextEncoder().encode(legacy) } as never);
    s.idc.tokens.set('aws-vault-token', { accessToken: 'aws-vault-token', clientId: 'x', expiresAt: s.idc.now + 600_000, revoked: false });
    await s.call();
    assert.equal(s.idc.calls.startDevice, 0, "aws-vault's token is used");
    s.idc.now += 20 * 60_000;
    await s.call();
    assert.equal(s.idc.calls.startDevice, 1);
  });
});

describe('ssoProvider: a 401 from the portal', () => {
  it('deletes the token and signs in once more', async () => {
    const s = setup();
    await s.call();
    const rejected = stored(s)?.accessToken;
    s.idc.revokeAll();
    await s.call();
    assert.equal(s.idc.calls.startDevice, 2);
    assert.equal(s.idc.calls.register, 1);
    assert.notEqual(stored(s)?.accessToken, rejected);
  });

  it('stops after the second 401 with one line that names the profile and start URL but no token', async () => {
    const s = setup();
    await s.call();
    s.idc.portal401s = 5;
    const error = await rejection(s.call());
    assert.equal(error.code, 'SSO_UNAUTHORIZED');
    assert.equal(s.idc.calls.startDevice, 2, 'exactly one more sign-in');
    assert.equal(s.idc.calls.roleCredentials, 3);
    assert.match(error.message, /^profile dev: sso:GetRoleCredentials for https:\/\/corp\.awsapps\.com\/start failed: UnauthorizedException: Session token not found or invalid$/);
    for (const token of s.idc.tokens.keys()) assert.ok(!`${error.message} ${error.hint}`.includes(token));
  });

  it('does not sign in again when the token of a sign-in just made is refused', async () => {
    const s = setup();
    s.idc.portal401s = 1;
    const error = await rejection(s.call());
    assert.equal(error.code, 'SSO_UNAUTHORIZED');
    assert.equal(s.idc.calls.startDevice, 1);
  });

  it('names the account and role when the portal refuses the role', async () => {
    const s = setup();
    await s.call();
    const portal = await s.idc.portal();
    const original = portal.getRoleCredentials;
    s.idc.portal = async () => ({
      getRoleCredentials: async () => {
        throw Object.assign(new Error('No access'), { name: 'ForbiddenException', $metadata: { httpStatusCode: 403 } });
      },
    });
    const error = await rejection(s.call());
    assert.equal(error.message, 'profile dev: sso:GetRoleCredentials (role Admin, account 111122223333) for https://corp.awsapps.com/start failed: ForbiddenException: No access');
    assert.match(error.hint ?? '', /sso_account_id and sso_role_name/);
    void original;
  });
});

describe('ssoProvider: parallel processes', () => {
  it('ten concurrent calls behind the cross-process file lock sign in once', async () => {
    const s = setup({ lock: 'file' });
    const results = await Promise.all(Array.from({ length: 10 }, () => s.call()));
    assert.equal(results.length, 10);
    assert.equal(s.idc.calls.startDevice, 1);
    assert.equal(s.idc.calls.register, 1);
    assert.equal(new Set(s.idc.roleRequests.map((r) => r.accessToken)).size, 1);
  });
});

describe('ssoProvider: the sign-in lock inside core\'s session lock', () => {
  it('leaves no lock behind (each start URL locks in its own directory)', async () => {
    const s = setup({ lock: 'default' });
    const coreLockDir = defaultLockDir({}, s.home);
    await withFileLock(coreLockDir, 'sso.GetRoleCredentials dev', () => s.call());
    const started = Date.now();
    await withFileLock(coreLockDir, 'sso.GetRoleCredentials dev', async () => {});
    assert.ok(Date.now() - started < 1_000, 'the session lock was released');
  });
});

describe('ssoProvider: PKCE', () => {
  it('AWS_VAULT_SSO_FLOW=pkce signs in through the loopback redirect, registering for the code grant', async () => {
    const idcHolder: { idc?: FakeIdentityCenter } = {};
    const s = setup({ env: { AWS_VAULT_SSO_FLOW: 'pkce' }, browser: (url) => browserThatSignsIn(idcHolder.idc as FakeIdentityCenter)(url) });
    idcHolder.idc = s.idc;
    await s.call();
    assert.equal(s.idc.calls.code, 1);
    assert.equal(s.idc.calls.startDevice, 0);
    assert.deepEqual(s.idc.registrations[0], {
      clientName: 'vault', clientType: 'public', scopes: ['sso:account:access'], grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: ['http://127.0.0.1/oauth/callback'], issuerUrl: START,
    });
    const url = new URL(s.io.opened[0] ?? '');
    assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:9/authorize');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    assert.equal(stored(s)?.registration?.flow, 'pkce');
  });

  it('chosen automatically, falls back to the device flow when no browser opens', async () => {
    const s = setup({ env: { AWS_VAULT_SSO_FLOW: '', DISPLAY: ':0' }, browser: async () => ({ ok: false, reason: 'xdg-open was not found' }) });
    await s.call();
    assert.equal(s.idc.calls.startDevice, 1);
    assert.equal(s.idc.calls.register, 2, 'one client per flow');
    assert.match(s.io.output(), /could not open a browser \(xdg-open was not found\); signing in with a device code instead/);
  });
});

describe('ssoProvider: sharing with the AWS CLI cache', () => {
  it('AWS_VAULT_SSO_CACHE=1 writes ~/.aws/sso/cache/<sha1 of the sso-session name>.json, 0600 in a 0700 directory', async () => {
    const s = setup({ env: { AWS_VAULT_SSO_CACHE: '1' } });
    await s.call(ssoProfile({ ssoSession: 'corp' }));
    const path = awsCliSsoCachePath(s.home, 'corp');
    assert.match(path, /\/\.aws\/sso\/cache\/[0-9a-f]{40}\.json$/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(s.home, '.aws', 'sso', 'cache')).mode & 0o777, 0o700);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const token = stored(s);
    assert.deepEqual(Object.keys(json), ['startUrl', 'region', 'accessToken', 'expiresAt', 'refreshToken', 'clientId', 'clientSecret', 'registrationExpiresAt']);
    assert.equal(json.accessToken, token?.accessToken);
    assert.equal(json.region, 'eu-west-1');
    assert.match(json.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('is off by default and on with vault_sso_cache = true in the [sso-session]', async () => {
    const s = setup();
    await s.call(ssoProfile({ ssoSession: 'corp' }));
    assert.equal(readAwsCliSsoCache(awsCliSsoCachePath(s.home, 'corp')), undefined);
    const config = join(s.home, 'config');
    writeFileSync(config, `[sso-session corp]\nsso_start_url = ${START}\nsso_region = eu-west-1\nvault_sso_cache = true\n`);
    await s.call(ssoProfile({ ssoSession: 'corp' }), { AWS_CONFIG_FILE: config });
    assert.ok(readAwsCliSsoCache(awsCliSsoCachePath(s.home, 'corp')));
  });

  it('uses a newer token from the AWS CLI cache instead of signing in', async () => {
    const s = setup({ env: { AWS_VAULT_SSO_CACHE: 'true' } });
    const issued = s.idc.issue('cli-client', false);
    writeAwsCliSsoCache(awsCliSsoCachePath(s.home, START), { startUrl: START, region: 'eu-west-1', accessToken: issued.accessToken, expiresAt: new Date(s.idc.now + 3600_000) });
    await s.call();
    assert.equal(s.idc.calls.startDevice, 0);
    assert.equal(stored(s)?.accessToken, issued.accessToken, 'kept in the store too');
  });
});

describe('ssoProvider: a token the AWS tools refreshed', () => {
  it('is taken over (with its rotated refresh token) instead of being overwritten', async () => {
    const s = setup({ env: { AWS_VAULT_SSO_CACHE: '1' } });
    await s.call();
    const path = awsCliSsoCachePath(s.home, START);
    const ours = readAwsCliSsoCache(path);
    const renewed = s.idc.issue(ours?.clientId as string, true);
    writeAwsCliSsoCache(path, { ...(ours as NonNullable<typeof ours>), accessToken: renewed.accessToken, refreshToken: renewed.refreshToken as string, expiresAt: new Date(s.idc.now + 9 * 3600_000) });
    await s.call();
    assert.equal(stored(s)?.accessToken, renewed.accessToken);
    assert.equal(stored(s)?.refreshToken, renewed.refreshToken);
    assert.equal(readAwsCliSsoCache(path)?.accessToken, renewed.accessToken);
    assert.equal(s.idc.roleRequests.at(-1)?.accessToken, renewed.accessToken);
    assert.equal(stored(s)?.registration?.flow, 'device', "vault's record of its client is kept");
  });
});

describe('ssoProvider: configuration', () => {
  it('rejects a profile without sso_region or with a malformed account, naming the profile', () => {
    const ctx = { backend: memoryBackend(), env: {}, debug: () => {}, clientConfig: () => ({ region: 'x' }), mfaPrompt: async () => '' } as SourceContext;
    assert.throws(() => ssoProvider(ssoProfile({ ssoRegion: undefined as never }), ctx), /^VaultError: profile dev: sso_region is not set for sso_start_url https:\/\/corp\.awsapps\.com\/start$/);
    assert.throws(() => ssoProvider(ssoProfile({ ssoAccountId: '12' }), ctx), /profile dev: sso_account_id = 12 is not a 12-digit account id/);
    assert.throws(() => ssoProvider(ssoProfile({ ssoRoleName: undefined as never }), ctx), /profile dev: sso_role_name is not set/);
  });

  it('rejects an unknown AWS_VAULT_SSO_FLOW when a sign-in is needed', async () => {
    const s = setup({ env: { AWS_VAULT_SSO_FLOW: 'browser' } });
    const error = await rejection(s.call());
    assert.equal(error.code, 'SSO_FLOW_INVALID');
  });
});
