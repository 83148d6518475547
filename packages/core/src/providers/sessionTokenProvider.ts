import type { ProfileConfig } from '../config/ProfileConfig.js';
import { formatKeyForDisplay, type CredentialProvider } from '../credentials.js';
import { formatGoDuration } from '../config/parseGoDuration.js';
import type { DebugLogger } from '../logger.js';
import type { ClientConfig } from '../source.js';
import { awsCallError } from './loadSts.js';
import type { MfaCodeSource } from './mfaCodeSource.js';
import type { SessionCredentials, StsFactory } from './stsApi.js';

/** What a provider making one STS call with a source's credentials (GetSessionToken, AssumeRole) is given. @public */
export interface StsCallOptions {
  source: CredentialProvider;
  profile: ProfileConfig;
  durationSeconds: number;
  /** The MFA device to send a code for; none when unset. */
  mfaSerial?: string;
  mfaCode: MfaCodeSource;
  clientConfig: ClientConfig;
  sts: StsFactory;
  debug: DebugLogger;
}

/** One `sts:GetSessionToken` call with the source's long-term keys (and MFA when the profile has a serial). @public */
export function sessionTokenProvider(options: StsCallOptions): () => Promise<SessionCredentials> {
  return async () => {
    const { profile, mfaSerial } = options;
    const source = await options.source();
    // The client first: a path that cannot call STS must fail before anyone is asked for a code.
    const sts = await options.sts(options.clientConfig, source);
    const input: { DurationSeconds: number; SerialNumber?: string; TokenCode?: string } = { DurationSeconds: options.durationSeconds };
    if (mfaSerial) {
      input.SerialNumber = mfaSerial;
      input.TokenCode = await options.mfaCode(mfaSerial, profile);
    }
    let credentials: SessionCredentials;
    try {
      credentials = await sts.getSessionToken(input);
    } catch (error) {
      throw awsCallError(profile.name, 'sts:GetSessionToken', error);
    }
    options.debug(`profile ${profile.name}: generated credentials ${formatKeyForDisplay(credentials.accessKeyId)} using GetSessionToken, expires in ${formatGoDuration(credentials.expiration.getTime() - Date.now())}`);
    return credentials;
  };
}
