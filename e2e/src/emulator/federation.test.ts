import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AssumeRoleCommand, GetFederationTokenCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { isFederationRequest, SIGNIN_TOKEN_TTL_MS } from './federation.js';
import { startEmulator, type Emulator } from './server.js';
import type { CreatedUser } from './state.js';
import { keysFrom, stsClient, type Keys } from './testing.js';

let emulator: Emulator;
let alice: CreatedUser;
let roleKeys: Keys;
let federatedKeys: Keys;
let sessionTokenKeys: Keys;

before(async () => {
  emulator = await startEmulator();
  alice = emulator.state.createUser('alice');
  const role = emulator.state.createRole({ name: 'viewer', trustedPrincipals: [alice.arn] });
  const sts = stsClient(emulator.url, alice);
  roleKeys = keysFrom((await sts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'test' }))).Credentials);
  federatedKeys = keysFrom((await sts.send(new GetFederationTokenCommand({ Name: 'alice', DurationSeconds: 3600 }))).Credentials);
  sessionTokenKeys = keysFrom((await sts.send(new GetSessionTokenCommand({}))).Credentials);
});
after(() => emulator.close());

async function signinToken(session: unknown, extra = ''): Promise<{ status: number; body: string }> {
  const response = await fetch(`${emulator.url}/federation?Action=getSigninToken${extra}&Session=${encodeURIComponent(JSON.stringify(session))}`);
  return { status: response.status, body: await response.text() };
}
const sessionOf = (keys: Keys) => ({ sessionId: keys.accessKeyId, sessionKey: keys.secretAccessKey, sessionToken: keys.sessionToken ?? '' });

describe('console federation endpoint', () => {
  test('routes by path or by federation action, leaving STS and IAM alone', () => {
    assert.equal(isFederationRequest('/federation?Action=getSigninToken'), true);
    assert.equal(isFederationRequest('/oauth?Action=logout&redirect_uri=x'), true);
    assert.equal(isFederationRequest('/?Action=login&SigninToken=x'), true);
    assert.equal(isFederationRequest('/?Action=GetCallerIdentity&Version=2011-06-15'), false);
    assert.equal(isFederationRequest('/'), false);
  });

  test('a role session and a federated session get a token; login redirects to the destination', async () => {
    for (const keys of [roleKeys, federatedKeys]) {
      const reply = await signinToken(sessionOf(keys));
      assert.equal(reply.status, 200, reply.body);
      const token = (JSON.parse(reply.body) as { SigninToken: string }).SigninToken;
      assert.equal(emulator.federation.tokenSession(token)?.sessionId, keys.accessKeyId);
      const destination = 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1';
      const login = await fetch(`${emulator.url}/federation?Action=login&Issuer=aws-vault&Destination=${encodeURIComponent(destination)}&SigninToken=${encodeURIComponent(token)}`, { redirect: 'manual' });
      assert.equal(login.status, 302);
      assert.equal(login.headers.get('location'), destination);
    }
    const records = emulator.federation.requests.filter((r) => r.action === 'getSigninToken');
    assert.deepEqual(records.map((r) => r.sessionKind), ['assumed-role', 'federated-user']);
    for (const record of emulator.federation.requests) assert.ok(!JSON.stringify(record).includes(roleKeys.secretAccessKey));
  });

  test('refuses long-term keys, unknown and mismatched sessions, and GetSessionToken sessions with 400', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ sessionId: alice.accessKeyId, sessionKey: alice.secretAccessKey, sessionToken: '' }, /long-term/],
      [{ ...sessionOf(roleKeys), sessionId: 'ASIAUNKNOWNUNKNOWN00' }, /unknown session/],
      [{ ...sessionOf(roleKeys), sessionKey: 'wrong' }, /does not match/],
      [{ ...sessionOf(roleKeys), sessionToken: 'wrong' }, /does not match/],
      [sessionOf(sessionTokenKeys), /GetSessionToken/],
      [{ sessionId: roleKeys.accessKeyId }, /needs sessionId, sessionKey and sessionToken/],
      ['not an object', /needs sessionId/],
    ];
    for (const [session, message] of cases) {
      const reply = await signinToken(session);
      assert.equal(reply.status, 400, JSON.stringify(session));
      assert.match(reply.body, message);
    }
  });

  test('SessionDuration: allowed for role sessions, refused for federated ones', async () => {
    assert.equal((await signinToken(sessionOf(roleKeys), '&SessionDuration=3600')).status, 200);
    assert.equal(emulator.federation.requests.at(-1)?.sessionDuration, '3600');
    assert.equal((await signinToken(sessionOf(federatedKeys), '&SessionDuration=3600')).status, 400);
  });

  test('tokens expire after 15 minutes; expired sessions get no token', async () => {
    const reply = await signinToken(sessionOf(roleKeys));
    const token = (JSON.parse(reply.body) as { SigninToken: string }).SigninToken;
    emulator.state.advanceClock(SIGNIN_TOKEN_TTL_MS + 1000);
    const login = await fetch(`${emulator.url}/federation?Action=login&Issuer=x&Destination=${encodeURIComponent('https://console.aws.amazon.com/')}&SigninToken=${token}`, { redirect: 'manual' });
    assert.equal(login.status, 400);
    emulator.state.advanceClock(3600_000);
    const expired = await signinToken(sessionOf(roleKeys));
    assert.equal(expired.status, 400);
    assert.match(expired.body, /expired/);
    assert.equal(emulator.federation.calls('login'), 3);
  });
});
