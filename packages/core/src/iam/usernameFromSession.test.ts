import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IamApi } from './iamApi.js';
import { usernameFromSession } from './usernameFromSession.js';

function iamWith(getUser: IamApi['getUser']): () => Promise<IamApi> {
  return async () => ({
    getUser,
    createAccessKey: async () => assert.fail('not used'),
    deleteAccessKey: async () => assert.fail('not used'),
  });
}

const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 403 } });

describe('usernameFromSession: who owns the keys', () => {
  it('takes UserName from iam:GetUser, with the account from its ARN', async () => {
    const found = await usernameFromSession({ iam: iamWith(async () => ({ UserName: 'alice', Arn: 'arn:aws:iam::111111111111:user/team/alice', UserId: 'AIDA' })) });
    assert.deepEqual(found, { userName: 'alice', via: 'iam:GetUser', accountId: '111111111111' });
  });

  it('reads the user from the ARN that an AccessDenied message names (last path segment)', async () => {
    const denied = sdkError('AccessDenied', 'User: arn:aws:iam::222222222222:user/ops/bob is not authorized to perform: iam:GetUser on resource: user bob with an explicit deny');
    let asked = false;
    const found = await usernameFromSession({ iam: iamWith(async () => Promise.reject(denied)), callerIdentity: async () => ((asked = true), { Arn: 'x' }) });
    assert.deepEqual(found, { userName: 'bob', via: 'AccessDenied message', accountId: '222222222222' });
    assert.equal(asked, false, 'no further call is made');
  });

  it('falls back to sts:GetCallerIdentity when GetUser fails otherwise', async () => {
    const found = await usernameFromSession({
      iam: iamWith(async () => Promise.reject(sdkError('ValidationError', 'Must specify userName when calling with non-User credentials'))),
      callerIdentity: async () => ({ Arn: 'arn:aws:iam::333333333333:user/carol', Account: '333333333333' }),
    });
    assert.deepEqual(found, { userName: 'carol', via: 'sts:GetCallerIdentity', accountId: '333333333333' });
  });

  it('refuses credentials that are not an IAM user, naming what they are', async () => {
    await assert.rejects(
      usernameFromSession({
        iam: iamWith(async () => Promise.reject(sdkError('ValidationError', 'no'))),
        callerIdentity: async () => ({ Arn: 'arn:aws:sts::333333333333:assumed-role/admin/1' }),
      }),
      { code: 'IAM_USER_UNKNOWN', message: /not to an IAM user.*assumed-role|assumed-role\/admin\/1, not to an IAM user/ },
    );
  });

  it('without a GetCallerIdentity fallback, reports the GetUser error on one line', async () => {
    await assert.rejects(usernameFromSession({ iam: iamWith(async () => Promise.reject(sdkError('Throttling', 'Rate exceeded\nmore'))) }), (error: Error) => {
      assert.equal(error.message, "couldn't determine the IAM user name: iam:GetUser failed: Rate exceeded");
      return true;
    });
  });
});
