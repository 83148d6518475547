import type { ProfileConfig } from '../config/ProfileConfig.js';
import { formatGoDuration } from '../config/parseGoDuration.js';
import { formatKeyForDisplay, type Credentials } from '../credentials.js';
import { isVaultError, VaultError } from '../errors.js';
import type { IamApi } from '../iam/iamApi.js';
import { usernameFromSession } from '../iam/usernameFromSession.js';
import { silentLogger, type DebugLogger } from '../logger.js';
import { awsErrorCode, awsErrorStatus, firstLine } from '../providers/awsErrorCode.js';
import { awsCallError } from '../providers/loadSts.js';
import type { StsApi } from '../providers/stsApi.js';
import { profilesInChain } from './masterCredentialsName.js';
import { KEY_WAIT_TIMEOUT_MS, retryWithBackoff, type RetryOptions } from './waitForKey.js';

/** What `rotateAccessKey` needs; every effect is injected, so the sequence is tested without AWS. @public */
export interface RotateAccessKeyOptions {
  /** Shows that vault is waiting (IAM keys take seconds to work everywhere); a spinner on a terminal. */
  waitIndicator?: (message: string) => { stop(): void };
  /** The profile the user named. */
  profileName: string;
  /** Where the long-term keys are stored: the first profile of the chain with stored keys. */
  masterName: string;
  /** `--no-session`: IAM calls are signed with the stored keys themselves. */
  noSession: boolean;
  /** The role the IAM calls act through, if the profile assumes one (IAM then needs `UserName`). */
  roleArn?: string;
  /** Reads the stored (old) keys. */
  readKey(): Promise<Credentials>;
  /** Stores new keys under `masterName`. */
  storeKey(key: Credentials): Promise<void>;
  /** Credentials for CreateAccessKey: the provider chain with the session cache off, or the stored keys. Called once. */
  sessionCredentials(): Promise<Credentials>;
  /**
   * Credentials derived from the new key (stored by then) for DeleteAccessKey: the chain again.
   * Absent for `--no-session`, and when the chain needs MFA (a second code would be a replay of the
   * first): the new key itself then signs the delete.
   */
  chainFromNewKey?: () => Promise<Credentials>;
  /** Removes the cached sessions of the chain's profiles; resolves the count per profile. */
  clearSessions(): Promise<Array<{ profileName: string; count: number }>>;
  iam(credentials: Credentials): Promise<IamApi>;
  sts(credentials: Credentials): Promise<Pick<StsApi, 'getCallerIdentity'>>;
  /** Progress lines, as aws-vault prints them (stdout). */
  print(line: string): void;
  /** Warnings that do not stop the rotation (stderr). */
  warn?(line: string): void;
  debug?: DebugLogger;
  /** The wait for the new key to work (and the retry of DeleteAccessKey): clock, sleep, limits. */
  keyWait?: RetryOptions;
}

/** What a finished rotation did. @public */
export interface RotateAccessKeyResult {
  oldAccessKeyId: string;
  newAccessKeyId: string;
  userName?: string;
  sessionsDeleted: number;
}

/** AWS errors worth another try while IAM spreads a new key (or is busy). */
const TRANSIENT = new Set(['InvalidClientTokenId', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'ServiceFailure', 'ServiceUnavailable', 'InternalFailure', 'RequestTimeout']);

function transient(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code && (TRANSIENT.has(code) || /^E[A-Z_]{3,}$/.test(code))) return true;
  return (awsErrorStatus(error) ?? 0) >= 500;
}

/** Whether the chain up to the stored keys asks for MFA anywhere. @public */
export function chainNeedsMfa(profile: ProfileConfig, masterName: string): boolean {
  for (const p of profilesInChain(profile)) {
    if (p.mfaSerial) return true;
    if (p.name === masterName) break;
  }
  return false;
}

/**
 * aws-vault's `rotate` (§7), with its bugs fixed: create a new access key, wait until it works,
 * store it, delete the chain's cached sessions, then delete the old key with credentials derived
 * from the new one. Whatever step fails, a working key stays stored and the error says, on one
 * line, which key is live. @public
 */
export async function rotateAccessKey(options: RotateAccessKeyOptions): Promise<RotateAccessKeyResult> {
  const { profileName, masterName, print } = options;
  const debug = options.debug ?? silentLogger;
  const mask = formatKeyForDisplay;
  print(options.noSession
    ? `Rotating credentials stored for profile '${masterName}' using master credentials (takes 10-20 seconds)`
    : `Rotating credentials stored for profile '${masterName}' using a session from profile '${profileName}' (takes 10-20 seconds)`);

  let oldKey: Credentials;
  try {
    oldKey = await options.readKey();
  } catch (error) {
    throw prefixed(error, `profile ${masterName}: cannot read the stored access key`);
  }
  const old = mask(oldKey.accessKeyId);
  debug(`rotating access key ${old} of profile ${masterName}`);
  const unchanged = `the stored key ${old} is unchanged and still live`;
  print('Creating a new access key');

  let iamCredentials: Credentials;
  try {
    iamCredentials = await options.sessionCredentials();
  } catch (error) {
    throw withSuffix(error, `nothing was changed: ${unchanged}`);
  }

  let userName: string | undefined;
  if (!options.noSession && options.roleArn) {
    // The role's session cannot name the user (GetUser needs a user's own keys), so ask with the
    // stored keys themselves: GetUser, its AccessDenied message, or GetCallerIdentity.
    const user = await usernameFromSession({
      iam: () => options.iam(oldKey),
      callerIdentity: async () => (await options.sts(oldKey)).getCallerIdentity(),
      debug,
    }).catch((error: unknown) => {
      throw withSuffix(prefixed(error, `profile ${profileName}`), `nothing was changed: ${unchanged}`);
    });
    const roleAccount = options.roleArn.split(':')[4];
    if (user.accountId && roleAccount && user.accountId !== roleAccount) {
      throw new VaultError('ROTATE_WRONG_ACCOUNT', `profile ${profileName}: role_arn is in account ${roleAccount}, but the stored key belongs to IAM user ${user.userName} of account ${user.accountId}; nothing was changed: ${unchanged}`, {
        hint: `rotate with --no-session, or through a role in account ${user.accountId}`,
      });
    }
    userName = user.userName;
    debug(`found IAM user name ${userName} with ${user.via}`);
  }
  const userParam = userName === undefined ? {} : { UserName: userName };

  let newKey: Credentials;
  try {
    const created = await (await options.iam(iamCredentials)).createAccessKey(userParam);
    newKey = { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey };
    userName ??= created.UserName || undefined;
  } catch (error) {
    const failed = callFailed(profileName, 'iam:CreateAccessKey', error);
    if (awsErrorCode(error) === 'LimitExceeded') {
      throw new VaultError('ROTATE_KEY_LIMIT', `${failed.message}; ${unchanged}`, {
        hint: `IAM allows two access keys per user${userName ? ` and ${userName} has two` : ''}: delete the one vault does not store (not ${old}; see \`aws iam list-access-keys\`) with \`aws iam delete-access-key\`, then rotate again`,
        cause: error,
      });
    }
    throw new VaultError(failed.code, `${failed.message}; ${unchanged}`, { ...(failed.hint ? { hint: failed.hint } : {}), cause: error });
  }
  const fresh = mask(newKey.accessKeyId);
  print(`Created new access key ${fresh}`);

  // A new key takes a while to work everywhere; storing it before it does could leave the user with none.
  const timeoutMs = options.keyWait?.timeoutMs ?? KEY_WAIT_TIMEOUT_MS;
  const indicator = options.waitIndicator?.(`Waiting for the new access key ${fresh} to work`);
  const waited = await retryWithBackoff(async () => (await options.sts(newKey)).getCallerIdentity(), {
    ...options.keyWait,
    debug,
    what: `sts:GetCallerIdentity with the new key ${fresh}`,
  }).finally(() => indicator?.stop());
  if (!waited.ok) {
    const why = `the new access key ${fresh} still did not work after ${formatGoDuration(timeoutMs)} (${waited.attempts} attempts, last error: ${firstLine(waited.error)})`;
    throw await undoNewKey(options, iamCredentials, newKey, userParam, 'ROTATE_KEY_NEVER_WORKED', `profile ${profileName}: ${why}`, unchanged, waited.error);
  }
  debug(`the new key ${fresh} works (after ${waited.attempts} attempt${waited.attempts === 1 ? '' : 's'})`);

  try {
    await options.storeKey(newKey);
  } catch (error) {
    throw await undoNewKey(options, iamCredentials, newKey, userParam, 'ROTATE_STORE_FAILED', `profile ${masterName}: cannot store the new access key ${fresh}: ${firstLine(error)}`, unchanged, error);
  }

  let sessionsDeleted = 0;
  try {
    for (const { profileName: name, count } of await options.clearSessions()) {
      sessionsDeleted += count;
      if (count > 0) print(`Deleted ${count} sessions for ${name}`);
    }
  } catch (error) {
    options.warn?.(`vault: warning: could not delete cached sessions: ${firstLine(error)} (run \`vault clear ${profileName}\`)`);
  }

  print(`Deleting old access key ${old}`);
  let deleteCredentials: Credentials | undefined;
  const deleted = await retryWithBackoff(async () => {
    deleteCredentials ??= options.chainFromNewKey ? await options.chainFromNewKey() : newKey;
    await (await options.iam(deleteCredentials)).deleteAccessKey({ AccessKeyId: oldKey.accessKeyId, ...userParam });
  }, { ...options.keyWait, retryable: transient, debug, what: `iam:DeleteAccessKey of ${old}` });
  if (!deleted.ok) {
    const reason = isVaultError(deleted.error) && deleted.error.code === 'AWS_CALL_FAILED' ? firstLine(deleted.error) : callFailed(profileName, 'iam:DeleteAccessKey', deleted.error).message;
    throw new VaultError('ROTATE_OLD_KEY_LEFT', `${reason}; the new key ${fresh} is stored and live, but the old key ${old} is still active in IAM`, {
      hint: `delete ${old} by hand: find its id with \`vault exec ${profileName} -- aws iam list-access-keys${userName ? ` --user-name ${userName}` : ''}\`, then \`aws iam delete-access-key --access-key-id <id>${userName ? ` --user-name ${userName}` : ''}\``,
      cause: deleted.error,
    });
  }
  print(`Deleted old access key ${old}`);
  print('Finished rotating access key');
  return { oldAccessKeyId: oldKey.accessKeyId, newAccessKeyId: newKey.accessKeyId, ...(userName ? { userName } : {}), sessionsDeleted };
}

/** Deletes a new key that will not be stored, and words the error that says which key is live. */
async function undoNewKey(
  options: RotateAccessKeyOptions,
  iamCredentials: Credentials,
  newKey: Credentials,
  userParam: { UserName?: string },
  code: string,
  what: string,
  unchanged: string,
  cause: unknown,
): Promise<VaultError> {
  const fresh = formatKeyForDisplay(newKey.accessKeyId);
  try {
    await (await options.iam(iamCredentials)).deleteAccessKey({ AccessKeyId: newKey.accessKeyId, ...userParam });
  } catch (error) {
    return new VaultError(code, `${what}; deleting it again failed too (${firstLine(error)}), so ${fresh} is still active in IAM; ${unchanged}`, {
      hint: `delete ${fresh} by hand with \`aws iam delete-access-key\``,
      cause,
    });
  }
  return new VaultError(code, `${what}; it was deleted again; ${unchanged}`, { cause });
}

/** `awsCallError`, naming AWS's wire code (`LimitExceeded`) rather than the SDK's class name (`LimitExceededException`). */
function callFailed(profileName: string, call: string, error: unknown): VaultError {
  const base = awsCallError(profileName, call, error);
  const code = awsErrorCode(error);
  const name = (error as { name?: unknown }).name;
  if (!code || typeof name !== 'string' || code === name || !base.message.includes(`failed: ${name}:`)) return base;
  return new VaultError(base.code, base.message.replace(`failed: ${name}:`, `failed: ${code}:`), { ...(base.hint ? { hint: base.hint } : {}), cause: error });
}

function prefixed(error: unknown, prefix: string): VaultError {
  if (isVaultError(error)) {
    if (error.message.startsWith('profile ')) return error;
    return new VaultError(error.code, `${prefix}: ${error.message}`, { ...(error.hint ? { hint: error.hint } : {}), cause: error.cause ?? error, exitCode: error.exitCode });
  }
  return new VaultError('ROTATE_FAILED', `${prefix}: ${firstLine(error)}`, { cause: error });
}

function withSuffix(error: unknown, suffix: string): VaultError {
  const base = isVaultError(error) ? error : new VaultError('ROTATE_FAILED', firstLine(error), { cause: error });
  return new VaultError(base.code, `${firstLine(base)}; ${suffix}`, { ...(base.hint ? { hint: base.hint } : {}), cause: base.cause ?? error, exitCode: base.exitCode });
}
