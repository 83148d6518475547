import type { Caller, RoleRecord, SessionRecord } from './state.js';

/**
 * How AWS names a caller. GetSessionToken sessions act as the IAM user
 * itself; role sessions are `assumed-role/<role>/<session>` in the sts
 * namespace; GetFederationToken sessions are `federated-user/<name>`.
 */

export function sessionArn(session: SessionRecord): string {
  switch (session.kind) {
    case 'assumed-role': {
      const roleName = (session.roleArn ?? '').split('/').pop() ?? '';
      return `arn:aws:sts::${session.accountId}:assumed-role/${roleName}/${session.roleSessionName ?? ''}`;
    }
    case 'federated-user':
      return `arn:aws:sts::${session.accountId}:federated-user/${session.federatedName ?? ''}`;
    case 'session-token':
      return `arn:aws:iam::${session.accountId}:user/${session.userName ?? ''}`;
  }
}

export function callerArn(caller: Caller): string {
  return caller.kind === 'user' ? caller.user.arn : sessionArn(caller.session);
}

export function callerAccount(caller: Caller): string {
  return caller.kind === 'user' ? caller.user.accountId : caller.session.accountId;
}

/** The aws:userid value: AIDA… for users, `<roleId>:<session>` for roles, `<account>:<name>` for federated users. */
export function callerUserId(caller: Caller, role?: RoleRecord): string {
  if (caller.kind === 'user') return caller.user.userId;
  const session = caller.session;
  switch (session.kind) {
    case 'session-token':
      return caller.user?.userId ?? session.accountId;
    case 'assumed-role':
      return `${role?.roleId ?? ''}:${session.roleSessionName ?? ''}`;
    case 'federated-user':
      return `${session.accountId}:${session.federatedName ?? ''}`;
  }
}

/** ARNs a trust rule may name to admit this caller. */
export function principalArns(caller: Caller): string[] {
  if (caller.kind === 'user') return [caller.user.arn];
  const session = caller.session;
  if (session.kind === 'assumed-role' && session.roleArn) return [session.roleArn, sessionArn(session)];
  return [sessionArn(session)];
}

/**
 * Whether a role's trust rule admits the caller: an exact principal ARN, the
 * caller's account root (`arn:aws:iam::<acct>:root` or the bare account id),
 * or `*`.
 */
export function isTrusted(role: RoleRecord, caller: Caller): boolean {
  const account = callerAccount(caller);
  const arns = principalArns(caller);
  return role.trustedPrincipals.some(
    (trusted) => trusted === '*' || trusted === account || trusted === `arn:aws:iam::${account}:root` || arns.includes(trusted),
  );
}
