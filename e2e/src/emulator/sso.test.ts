import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GetRoleCredentialsCommand, ListAccountRolesCommand, ListAccountsCommand, LogoutCommand, SSOClient } from '@aws-sdk/client-sso';
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { startEmulator, type Emulator } from './server.js';
import { DEVICE_CODE_GRANT } from './ssoOidc.js';
import { rejectsWith, runAwsCli, stsClient } from './testing.js';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

const START = 'https://emulated.awsapps.com/start';

describe('IAM Identity Center emulation, through @aws-sdk/client-sso-oidc and client-sso 3.1164.0', () => {
  let emulator: Emulator;
  let oidc: SSOOIDCClient;
  let portal: SSOClient;
  let adminArn: string;
  before(async () => {
    emulator = await startEmulator();
    adminArn = emulator.sso.assign({ roleName: 'Admin', accountId: '111122223333', accountName: 'prod' }).roleArn;
    emulator.sso.assign({ roleName: 'ReadOnly', accountId: '111122223333' });
    emulator.sso.assign({ roleName: 'Admin', accountId: '444455556666' });
    const common = { endpoint: emulator.url, region: 'eu-west-1', maxAttempts: 1 };
    oidc = new SSOOIDCClient(common);
    portal = new SSOClient(common);
  });
  after(() => emulator.close());

  async function deviceToken(scopes?: string[]) {
    const client = await oidc.send(new RegisterClientCommand({ clientName: 'test', clientType: 'public', ...(scopes ? { scopes } : {}) }));
    const auth = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: START }));
    const input = { clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE_CODE_GRANT, deviceCode: auth.deviceCode };
    await rejectsWith(oidc.send(new CreateTokenCommand(input)), 'AuthorizationPendingException', { status: 400 });
    assert.ok(emulator.sso.oidc.approve(auth.userCode as string));
    return { client, auth, token: await oidc.send(new CreateTokenCommand(input)) };
  }

  it('runs the device grant: pending, approved, then the code is spent', async () => {
    const { client, auth, token } = await deviceToken();
    assert.match(auth.userCode ?? '', /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(auth.interval, 1);
    assert.equal(auth.verificationUriComplete, `${emulator.url}/device?user_code=${auth.userCode}`);
    assert.equal(token.tokenType, 'Bearer');
    assert.equal(token.expiresIn, 28800);
    assert.equal(token.refreshToken, undefined, 'no scopes, no refresh token');
    await rejectsWith(oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE_CODE_GRANT, deviceCode: auth.deviceCode })), 'InvalidGrantException');
    assert.equal(emulator.state.calls('sso-oidc:StartDeviceAuthorization'), 1);
  });

  it('answers slow_down, access_denied and expired_token, and refuses a wrong client secret with 401', async () => {
    const client = await oidc.send(new RegisterClientCommand({ clientName: 'test', clientType: 'public' }));
    const start = () => oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: START }));
    const poll = (deviceCode?: string, clientSecret = client.clientSecret) => oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret, grantType: DEVICE_CODE_GRANT, deviceCode }));
    const a = await start();
    emulator.sso.oidc.slowDownNext();
    await rejectsWith(poll(a.deviceCode), 'SlowDownException');
    await rejectsWith(poll(a.deviceCode, 'wrong'), 'InvalidClientException', { status: 401 });
    assert.ok(emulator.sso.oidc.deny(a.userCode as string));
    await rejectsWith(poll(a.deviceCode), 'AccessDeniedException');
    const b = await start();
    emulator.state.advanceClock(601_000);
    await rejectsWith(poll(b.deviceCode), 'ExpiredTokenException');
    assert.equal(emulator.sso.oidc.approve(b.userCode as string), false, 'an expired code cannot be approved');
  });

  it('issues refresh tokens to clients registered with scopes, and rotates them', async () => {
    const { client, token } = await deviceToken(['sso:account:access']);
    assert.ok(token.refreshToken);
    const refresh = (refreshToken?: string) => oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: 'refresh_token', refreshToken }));
    const renewed = await refresh(token.refreshToken);
    assert.ok(renewed.accessToken && renewed.accessToken !== token.accessToken);
    assert.ok(renewed.refreshToken && renewed.refreshToken !== token.refreshToken);
    await rejectsWith(refresh(token.refreshToken), 'InvalidGrantException');
    await portal.send(new GetRoleCredentialsCommand({ accessToken: renewed.accessToken, accountId: '111122223333', roleName: 'Admin' }));
  });

  it('runs the authorization-code grant with PKCE and a loopback redirect on any port', async () => {
    const client = await oidc.send(new RegisterClientCommand({
      clientName: 'test', clientType: 'public', scopes: ['sso:account:access'], grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: ['http://127.0.0.1/oauth/callback'], issuerUrl: START,
    }));
    const verifier = randomBytes(40).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://127.0.0.1:54321/oauth/callback';
    const query = new URLSearchParams({ response_type: 'code', client_id: client.clientId as string, redirect_uri: redirectUri, state: 'st4te', code_challenge_method: 'S256', scopes: 'sso:account:access', code_challenge: challenge });
    const response = await fetch(`${emulator.url}/authorize?${query}`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, 'http://127.0.0.1:54321/oauth/callback');
    assert.equal(location.searchParams.get('state'), 'st4te');
    const code = location.searchParams.get('code') as string;
    const redeem = (codeVerifier: string) => oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: 'authorization_code', code, redirectUri, codeVerifier }));
    await rejectsWith(redeem('not-the-verifier'), 'InvalidGrantException');
    const token = await redeem(verifier);
    assert.ok(token.accessToken && token.refreshToken);
    assert.equal((await fetch(`${emulator.url}/authorize?${query.toString().replace('54321%2Foauth', '54321%2Fother')}`, { redirect: 'manual' })).status, 400, 'unregistered path');
    emulator.sso.oidc.authorizationDecision = 'deny';
    const denied = await fetch(`${emulator.url}/authorize?${query}`, { redirect: 'manual' });
    assert.equal(new URL(denied.headers.get('location') ?? '').searchParams.get('error'), 'access_denied');
    emulator.sso.oidc.authorizationDecision = 'allow';
  });

  it('serves role credentials that STS accepts with SigV4, and the account and role lists', async () => {
    const { token } = await deviceToken();
    const accessToken = token.accessToken as string;
    const out = await portal.send(new GetRoleCredentialsCommand({ accessToken, accountId: '111122223333', roleName: 'Admin' }));
    const c = out.roleCredentials;
    assert.match(c?.accessKeyId ?? '', /^ASIA/);
    assert.ok(typeof c?.expiration === 'number' && c.expiration > Date.now());
    const keys = { accessKeyId: c?.accessKeyId as string, secretAccessKey: c?.secretAccessKey as string, sessionToken: c?.sessionToken as string };
    const identity = await stsClient(emulator.url, keys).send(new GetCallerIdentityCommand({}));
    const roleName = adminArn.split('/').pop();
    assert.equal(identity.Arn, `arn:aws:sts::111122223333:assumed-role/${roleName}/alice@example.com`);
    assert.match(roleName ?? '', /^AWSReservedSSO_Admin_[0-9a-f]{16}$/);
    const cli = await runAwsCli(emulator.url, keys, ['sts', 'get-caller-identity']);
    assert.equal(cli.code, 0, cli.stderr);

    const accounts = await portal.send(new ListAccountsCommand({ accessToken, maxResults: 1 }));
    assert.deepEqual(accounts.accountList?.map((a) => a.accountId), ['111122223333']);
    const rest = await portal.send(new ListAccountsCommand({ accessToken, nextToken: accounts.nextToken }));
    assert.deepEqual(rest.accountList?.map((a) => a.accountId), ['444455556666']);
    const roles = await portal.send(new ListAccountRolesCommand({ accessToken, accountId: '111122223333' }));
    assert.deepEqual(roles.roleList?.map((r) => r.roleName), ['Admin', 'ReadOnly']);
    await rejectsWith(portal.send(new GetRoleCredentialsCommand({ accessToken, accountId: '111122223333', roleName: 'Nope' })), 'ForbiddenException', { status: 403 });
  });

  it('pages a large organisation like the API (max 100, opaque tokens) and throttles each token over its quota with 429', async () => {
    const org = await startEmulator();
    try {
      org.sso.organisation({ accounts: 150, roles: ['A', 'B'] });
      const client = new SSOClient({ endpoint: org.url, region: 'eu-west-1', maxAttempts: 1 });
      const o = new SSOOIDCClient({ endpoint: org.url, region: 'eu-west-1', maxAttempts: 1 });
      const reg = await o.send(new RegisterClientCommand({ clientName: 't', clientType: 'public' }));
      const auth = await o.send(new StartDeviceAuthorizationCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, startUrl: START }));
      assert.ok(org.sso.oidc.approve(auth.userCode as string));
      const { accessToken } = await o.send(new CreateTokenCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, grantType: DEVICE_CODE_GRANT, deviceCode: auth.deviceCode }));
      const first = await client.send(new ListAccountsCommand({ accessToken, maxResults: 100 }));
      assert.equal(first.accountList?.length, 100);
      assert.equal(first.accountList?.[0]?.accountName, 'Team 1 Workload');
      const second = await client.send(new ListAccountsCommand({ accessToken, maxResults: 100, nextToken: first.nextToken }));
      assert.deepEqual([second.accountList?.length, second.nextToken], [50, undefined]);
      await rejectsWith(client.send(new ListAccountsCommand({ accessToken, maxResults: 101 })), 'InvalidRequestException', { status: 400 });
      await rejectsWith(client.send(new ListAccountRolesCommand({ accessToken, accountId: '100000000000', nextToken: first.nextToken })), 'InvalidRequestException', { status: 400, message: 'Invalid nextToken' });

      org.sso.resetPortalStats();
      org.sso.portalQuota = { requests: 5, windowMs: 60_000, retryAfterSeconds: 2 };
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.send(new ListAccountRolesCommand({ accessToken, accountId: '100000000001' }))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
      const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      await rejectsWith(Promise.reject(refused?.reason), 'TooManyRequestsException', { status: 429, message: 'Rate exceeded' });
      assert.equal((refused?.reason as { $response?: { headers: Record<string, string> } }).$response?.headers['retry-after'], '2');
      assert.deepEqual(org.sso.portalStats, { requests: 8, throttled: 3 });
      assert.equal(org.state.requests.filter((r) => r.status === 429 && r.errorCode === 'TooManyRequestsException').length, 3);
      // Another token has its own quota; the test endpoint turns throttling off.
      await rejectsWith(client.send(new ListAccountsCommand({ accessToken: 'other' })), 'UnauthorizedException', { status: 401 });
      assert.equal((await fetch(`${org.url}/_emulator/sso/quota?requests=0`, { method: 'POST' })).status, 200);
      assert.equal(org.sso.portalQuota, undefined);
      await client.send(new ListAccountRolesCommand({ accessToken, accountId: '100000000001' }));
      assert.deepEqual(await (await fetch(`${org.url}/_emulator/sso/stats`)).json(), { requests: 10, throttled: 3 });
    } finally {
      await org.close();
    }
  });

  it('answers 401 UnauthorizedException to unknown, expired, revoked and logged-out tokens', async () => {
    const call = (accessToken: string) => portal.send(new GetRoleCredentialsCommand({ accessToken, accountId: '111122223333', roleName: 'Admin' }));
    await rejectsWith(call('made-up'), 'UnauthorizedException', { status: 401, message: 'Session token not found or invalid' });
    const a = (await deviceToken()).token.accessToken as string;
    await portal.send(new LogoutCommand({ accessToken: a }));
    await rejectsWith(call(a), 'UnauthorizedException');
    const b = (await deviceToken()).token.accessToken as string;
    emulator.sso.oidc.revokeAllTokens();
    await rejectsWith(call(b), 'UnauthorizedException');
    const c = (await deviceToken()).token.accessToken as string;
    emulator.state.advanceClock(8 * 3600 * 1000 + 1000);
    await rejectsWith(call(c), 'UnauthorizedException');
    const log = emulator.state.requests.filter((r) => r.service === 'sso');
    assert.ok(log.length > 0 && log.every((r) => !JSON.stringify(r).includes(c)), 'tokens are never logged');
  });

  it('approves and denies through the HTTP test endpoints', async () => {
    const client = await oidc.send(new RegisterClientCommand({ clientName: 'test', clientType: 'public' }));
    const auth = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: START }));
    const pending = await (await fetch(`${emulator.url}/_emulator/sso/pending`)).json();
    assert.ok((pending as { userCodes: string[] }).userCodes.includes(auth.userCode as string));
    assert.equal((await fetch(`${emulator.url}/_emulator/sso/approve?user_code=NOPE-NOPE`, { method: 'POST' })).status, 404);
    assert.equal((await fetch(`${emulator.url}/_emulator/sso/approve`, { method: 'POST', body: `user_code=${auth.userCode}` })).status, 200);
    const token = await oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE_CODE_GRANT, deviceCode: auth.deviceCode }));
    assert.ok(token.accessToken);
    assert.equal((await fetch(`${emulator.url}/_emulator/sso/revoke`, { method: 'POST' })).status, 200);
    assert.equal(emulator.sso.oidc.validToken(token.accessToken), undefined);
  });
});
