import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Credentials } from '../credentials.js';
import type { IamApi, IamFactory } from '../iam/iamApi.js';
import type { ClientConfig } from '../source.js';
import { FEDERATION_POLICY, federationTokenName, federationTokenProvider } from './federationTokenProvider.js';
import type { StsApi, StsFactory } from './stsApi.js';

const KEYS: Credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };
const STS_CONFIG: ClientConfig = { region: 'eu-west-1', endpoint: 'http://sts.local' };
const IAM_CONFIG: ClientConfig = { region: 'eu-west-1', endpoint: 'http://iam.local' };

function fakes(userName: string, options: { failFederation?: unknown } = {}) {
  const calls: Array<{ service: string; action: string; input?: unknown; credentials: Credentials; config: ClientConfig }> = [];
  const sts: StsFactory = async (config, credentials) => ({
    getSessionToken: async () => assert.fail('not used'),
    assumeRole: async () => assert.fail('not used'),
    getCallerIdentity: async () => {
      calls.push({ service: 'sts', action: 'GetCallerIdentity', credentials, config });
      return { Account: '111111111111', Arn: `arn:aws:iam::111111111111:user/${userName}`, UserId: 'AIDA' };
    },
    getFederationToken: async (input) => {
      calls.push({ service: 'sts', action: 'GetFederationToken', input, credentials, config });
      if (options.failFederation) throw options.failFederation;
      return { accessKeyId: 'ASIAFED', secretAccessKey: 'fed-secret', sessionToken: 'fed-token', expiration: new Date(Date.now() + input.DurationSeconds * 1000) };
    },
  } satisfies StsApi);
  const iam: IamFactory = async (config, credentials) => ({
    getUser: async () => {
      calls.push({ service: 'iam', action: 'GetUser', credentials, config });
      return { UserName: userName, Arn: `arn:aws:iam::111111111111:user/${userName}`, UserId: 'AIDA' };
    },
    createAccessKey: async () => assert.fail('not used'),
    deleteAccessKey: async () => assert.fail('not used'),
  } satisfies IamApi);
  return { calls, sts, iam };
}

describe('federationTokenProvider (login with long-term keys)', () => {
  it('names the session after the IAM user, sends the allow-all policy and the duration, signed by the keys', async () => {
    const f = fakes('alice');
    const credentials = await federationTokenProvider({ source: async () => KEYS, profileName: 'dev', durationSeconds: 7200, stsConfig: STS_CONFIG, iamConfig: IAM_CONFIG, sts: f.sts, iam: f.iam })();
    assert.equal(credentials.accessKeyId, 'ASIAFED');
    assert.deepEqual(f.calls.map((c) => `${c.service}:${c.action}`), ['iam:GetUser', 'sts:GetFederationToken']);
    const [getUser, federate] = f.calls;
    assert.deepEqual(getUser?.config, IAM_CONFIG);
    assert.deepEqual(federate?.config, STS_CONFIG);
    assert.deepEqual(federate?.credentials, KEYS);
    assert.deepEqual(federate?.input, { Name: 'alice', DurationSeconds: 7200, Policy: FEDERATION_POLICY });
    assert.deepEqual(JSON.parse(FEDERATION_POLICY), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  });

  it('cuts a long user name to the 32 characters GetFederationToken allows', async () => {
    const long = 'a-very-long-iam-user-name-that-goes-on-and-on';
    const f = fakes(long);
    await federationTokenProvider({ source: async () => KEYS, profileName: 'dev', durationSeconds: 3600, stsConfig: STS_CONFIG, iamConfig: IAM_CONFIG, sts: f.sts, iam: f.iam })();
    const input = f.calls.find((c) => c.action === 'GetFederationToken')?.input as { Name: string };
    assert.equal(input.Name, long.slice(0, 32));
    assert.equal(federationTokenName('short'), 'short');
    assert.equal(federationTokenName('x'.repeat(64)).length, 32);
  });

  it('refuses session credentials (STS allows GetFederationToken only with long-term keys)', async () => {
    const f = fakes('alice');
    await assert.rejects(
      federationTokenProvider({ source: async () => ({ ...KEYS, sessionToken: 't' }), profileName: 'dev', durationSeconds: 3600, stsConfig: STS_CONFIG, iamConfig: IAM_CONFIG, sts: f.sts, iam: f.iam })(),
      { code: 'FEDERATION_NEEDS_KEYS' },
    );
    assert.equal(f.calls.length, 0);
  });

  it('reports a failed GetFederationToken on one line naming the profile', async () => {
    const f = fakes('alice', { failFederation: Object.assign(new Error('Not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }) });
    await assert.rejects(
      federationTokenProvider({ source: async () => KEYS, profileName: 'dev', durationSeconds: 3600, stsConfig: STS_CONFIG, iamConfig: IAM_CONFIG, sts: f.sts, iam: f.iam })(),
      { message: 'profile dev: sts:GetFederationToken failed: AccessDenied: Not authorized' },
    );
  });
});
