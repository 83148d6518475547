import { invalidClientTokenId, noSuchEntity, validationError } from './errors.js';
import { callerAccount } from './identity.js';
import type { CallContext, Service } from './service.js';
import type { AccessKeyRecord, Caller, UserRecord } from './state.js';
import { Validator } from './validate.js';
import type { ResultObject } from './xml.js';

/**
 * AWS IAM (2010-05-08): the user and access-key calls vault makes —
 * GetUser, ListAccessKeys, CreateAccessKey, DeleteAccessKey, ListMFADevices.
 * Every caller is treated as allowed by policy within its own account; what
 * is emulated is who may reach IAM at all, the per-user key quota, and the
 * response shapes.
 */

/**
 * IAM refuses GetSessionToken credentials obtained without MFA, and all
 * GetFederationToken credentials, with InvalidClientTokenId (403): "You cannot
 * call any IAM API operations unless MFA authentication information is
 * included in the request" (STS GetSessionToken reference) — and this is the
 * error such calls get, e.g. aws-vault rotate without MFA.
 */
function admit(caller: Caller): void {
  if (caller.kind !== 'session') return;
  const session = caller.session;
  if (session.kind === 'federated-user') throw invalidClientTokenId();
  if (session.kind === 'session-token' && !session.mfaAuthenticated) throw invalidClientTokenId();
}

/** `UserName` if given (looked up in the caller's account), else the calling user. */
function targetUser({ state, caller, params }: CallContext): UserRecord {
  const v = new Validator();
  v.length('userName', params.UserName, 1, 128);
  v.pattern('userName', params.UserName, /[\w+=,.@-]+/, '[\\w+=,.@-]+');
  v.check();
  if (params.UserName === undefined) {
    const user = caller.kind === 'user' ? caller.user : caller.session.kind === 'session-token' ? caller.user : undefined;
    if (!user) throw validationError('Must specify userName when calling with non-User credentials');
    return user;
  }
  const user = state.findUser(callerAccount(caller), params.UserName);
  if (!user) throw noSuchEntity(`The user with name ${params.UserName} cannot be found.`);
  return user;
}

function keyMetadata(key: AccessKeyRecord): ResultObject {
  return { UserName: key.userName, AccessKeyId: key.accessKeyId, Status: 'Active', CreateDate: new Date(key.createDate) };
}

function getUser(context: CallContext): ResultObject {
  const user = targetUser(context);
  return {
    User: { Path: user.path, UserName: user.userName, UserId: user.userId, Arn: user.arn, CreateDate: new Date(user.createDate) },
  };
}

function listAccessKeys(context: CallContext): ResultObject {
  const user = targetUser(context);
  return { AccessKeyMetadata: context.state.accessKeysOf(user).map(keyMetadata), IsTruncated: false };
}

function createAccessKey(context: CallContext): ResultObject {
  const user = targetUser(context);
  const key = context.state.addAccessKey(user);
  return {
    AccessKey: {
      UserName: key.userName,
      AccessKeyId: key.accessKeyId,
      Status: 'Active',
      SecretAccessKey: key.secretAccessKey,
      CreateDate: new Date(key.createDate),
    },
  };
}

function deleteAccessKey(context: CallContext): undefined {
  const v = new Validator();
  if (v.required('accessKeyId', context.params.AccessKeyId)) {
    v.length('accessKeyId', context.params.AccessKeyId, 16, 128);
    v.pattern('accessKeyId', context.params.AccessKeyId, /[\w]+/, '[\\w]+');
  }
  v.check();
  const user = targetUser(context);
  context.state.deleteAccessKey(user, context.params.AccessKeyId ?? '');
  return undefined;
}

function listMfaDevices(context: CallContext): ResultObject {
  const user = targetUser(context);
  return {
    MFADevices: context.state.mfaDevicesOf(user).map((device) => ({
      UserName: device.userName,
      SerialNumber: device.serialNumber,
      EnableDate: new Date(device.enableDate),
    })),
    IsTruncated: false,
  };
}

export const iam: Service = {
  spec: {
    name: 'iam',
    version: '2010-05-08',
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    jsonTargetPrefix: 'AWSIdentityManagementV20100508',
  },
  admit,
  actions: {
    GetUser: getUser,
    ListAccessKeys: listAccessKeys,
    CreateAccessKey: createAccessKey,
    DeleteAccessKey: deleteAccessKey,
    ListMFADevices: listMfaDevices,
  },
};
