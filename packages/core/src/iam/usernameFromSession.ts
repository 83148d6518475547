import { VaultError } from '../errors.js';
import { silentLogger, type DebugLogger } from '../logger.js';
import { firstLine } from '../providers/awsErrorCode.js';
import type { IamApi } from './iamApi.js';

/** Who owns a set of long-term keys. @public */
export interface IamUserName {
  userName: string;
  /** The account of the user, when the answer named it. */
  accountId?: string;
  /** How it was found, for debug output. */
  via: 'iam:GetUser' | 'AccessDenied message' | 'sts:GetCallerIdentity';
}

/** `User: arn:aws:iam::123456789012:user/path/name is not authorized …` as IAM words a refusal. */
const DENIED_USER = /User: arn:aws[\w-]*:iam::(\d{12}):user\/(\S+?) is not authori[sz]ed/;
const USER_ARN = /^arn:aws[\w-]*:iam::(\d{12}):user\/(.+)$/;

/**
 * Finds the IAM user name behind credentials, as aws-vault's `GetUsernameFromSession` does:
 * `iam:GetUser`; if IAM refuses, the user ARN that its AccessDenied message names; and (vault's
 * addition) `sts:GetCallerIdentity`, which no policy can deny, when its ARN is an IAM user's. The
 * name is the last segment of the user's path. @public
 */
export async function usernameFromSession(options: {
  iam: () => Promise<IamApi>;
  callerIdentity?: () => Promise<{ Arn: string; Account?: string }>;
  debug?: DebugLogger;
}): Promise<IamUserName> {
  const debug = options.debug ?? silentLogger;
  let getUserError: unknown;
  try {
    const user = await (await options.iam()).getUser();
    const fromArn = USER_ARN.exec(user.Arn);
    const userName = user.UserName || lastSegment(fromArn?.[2] ?? user.Arn.split(':').pop() ?? '');
    if (userName) return withAccount({ userName, via: 'iam:GetUser' }, fromArn?.[1]);
  } catch (error) {
    getUserError = error;
    const denied = DENIED_USER.exec(error instanceof Error ? error.message : String(error));
    if (denied?.[2]) return withAccount({ userName: lastSegment(denied[2]), via: 'AccessDenied message' }, denied[1]);
    debug(`iam:GetUser failed (${firstLine(error)}); asking sts:GetCallerIdentity`);
  }
  if (options.callerIdentity) {
    let arn: string;
    try {
      arn = (await options.callerIdentity()).Arn;
    } catch (error) {
      throw new VaultError('IAM_USER_UNKNOWN', `couldn't determine the IAM user name: sts:GetCallerIdentity failed: ${firstLine(error)}`, { cause: error });
    }
    const user = USER_ARN.exec(arn);
    if (user?.[2]) return withAccount({ userName: lastSegment(user[2]), via: 'sts:GetCallerIdentity' }, user[1]);
    throw new VaultError('IAM_USER_UNKNOWN', `couldn't determine the IAM user name: the credentials belong to ${arn}, not to an IAM user`);
  }
  throw new VaultError('IAM_USER_UNKNOWN', `couldn't determine the IAM user name${getUserError === undefined ? '' : `: iam:GetUser failed: ${firstLine(getUserError)}`}`, {
    ...(getUserError === undefined ? {} : { cause: getUserError }),
  });
}

function lastSegment(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}

function withAccount(found: IamUserName, accountId: string | undefined): IamUserName {
  return accountId ? { ...found, accountId } : found;
}
