import { formatGoDuration } from '../config/parseGoDuration.js';
import { formatKeyForDisplay, type CredentialProvider } from '../credentials.js';
import { isVaultError, VaultError } from '../errors.js';
import { silentLogger, type DebugLogger } from '../logger.js';
import type { IamFactory } from '../iam/iamApi.js';
import { loadIam } from '../iam/loadIam.js';
import { usernameFromSession } from '../iam/usernameFromSession.js';
import type { ClientConfig } from '../source.js';
import { awsCallError, loadSts } from './loadSts.js';
import type { SessionCredentials, StsFactory } from './stsApi.js';

/**
 * The session policy aws-vault sends with GetFederationToken: allow everything, so the federated
 * session has exactly the permissions of the IAM user (a session policy can only narrow them).
 * @public
 */
export const FEDERATION_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

/** GetFederationToken's `Name` allows at most 32 characters: the IAM user name, cut to fit. @public */
export function federationTokenName(userName: string): string {
  return [...userName].slice(0, 32).join('');
}

/**
 * `sts:GetFederationToken` with long-term keys, for `login`: the console accepts only federated and
 * role sessions, so an IAM user's keys are exchanged for a federated session named after the user.
 * Never cached, as in aws-vault. @public
 */
export function federationTokenProvider(options: {
  source: CredentialProvider;
  profileName: string;
  durationSeconds: number;
  stsConfig: ClientConfig;
  iamConfig: ClientConfig;
  sts?: StsFactory;
  iam?: IamFactory;
  debug?: DebugLogger;
}): () => Promise<SessionCredentials> {
  const debug = options.debug ?? silentLogger;
  const sts = options.sts ?? loadSts;
  const iam = options.iam ?? loadIam;
  return async () => {
    const source = await options.source();
    if (source.sessionToken) {
      throw new VaultError('FEDERATION_NEEDS_KEYS', `profile ${options.profileName}: GetFederationToken needs long-term keys, not session credentials`);
    }
    const user = await usernameFromSession({
      iam: () => iam(options.iamConfig, source),
      callerIdentity: async () => (await sts(options.stsConfig, source)).getCallerIdentity(),
      debug,
    }).catch((error: unknown) => {
      throw isVaultError(error) ? new VaultError(error.code, `profile ${options.profileName}: ${error.message}`, { cause: error.cause }) : error;
    });
    const name = federationTokenName(user.userName);
    debug(`profile ${options.profileName}: creating a federated session named ${name} (user found with ${user.via}) for ${formatGoDuration(options.durationSeconds * 1000)}`);
    let credentials: SessionCredentials;
    try {
      credentials = await (await sts(options.stsConfig, source)).getFederationToken({ Name: name, DurationSeconds: options.durationSeconds, Policy: FEDERATION_POLICY });
    } catch (error) {
      throw awsCallError(options.profileName, 'sts:GetFederationToken', error);
    }
    debug(`profile ${options.profileName}: generated credentials ${formatKeyForDisplay(credentials.accessKeyId)} using GetFederationToken, expires in ${formatGoDuration(credentials.expiration.getTime() - Date.now())}`);
    return credentials;
  };
}
