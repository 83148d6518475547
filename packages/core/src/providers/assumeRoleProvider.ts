import { formatGoDuration } from '../config/parseGoDuration.js';
import { formatKeyForDisplay } from '../credentials.js';
import { awsCallError } from './loadSts.js';
import type { StsCallOptions } from './sessionTokenProvider.js';
import type { SessionCredentials, StsApi } from './stsApi.js';

/** aws-vault's default session name: the current time in nanoseconds. @public */
export function defaultRoleSessionName(now: number = Date.now()): string {
  return `${BigInt(now) * 1_000_000n + process.hrtime.bigint() % 1_000_000n}`;
}

/** One `sts:AssumeRole` call with the source's credentials, sending every parameter the profile sets. @public */
export function assumeRoleProvider(options: StsCallOptions & { roleArn: string }): () => Promise<SessionCredentials> {
  return async () => {
    const { profile, mfaSerial } = options;
    const source = await options.source();
    // The client first: a path that cannot call STS must fail before anyone is asked for a code.
    const sts = await options.sts(options.clientConfig, source);
    const input: Parameters<StsApi['assumeRole']>[0] = {
      RoleArn: options.roleArn,
      RoleSessionName: profile.roleSessionName ?? defaultRoleSessionName(),
      DurationSeconds: options.durationSeconds,
    };
    if (profile.externalId) input.ExternalId = profile.externalId;
    if (profile.sourceIdentity) input.SourceIdentity = profile.sourceIdentity;
    if (profile.sessionTags && Object.keys(profile.sessionTags).length > 0) {
      input.Tags = Object.entries(profile.sessionTags).map(([Key, Value]) => ({ Key, Value }));
    }
    if (profile.transitiveSessionTags && profile.transitiveSessionTags.length > 0) input.TransitiveTagKeys = profile.transitiveSessionTags;
    if (mfaSerial) {
      input.SerialNumber = mfaSerial;
      input.TokenCode = await options.mfaCode(mfaSerial, profile);
    }
    let credentials: SessionCredentials;
    try {
      credentials = await sts.assumeRole(input);
    } catch (error) {
      throw awsCallError(profile.name, 'sts:AssumeRole', error);
    }
    options.debug(`profile ${profile.name}: generated credentials ${formatKeyForDisplay(credentials.accessKeyId)} using AssumeRole, expires in ${formatGoDuration(credentials.expiration.getTime() - Date.now())}`);
    return credentials;
  };
}
