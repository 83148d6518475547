import {
  awsCallError,
  defaultRoleSessionName,
  formatGoDuration,
  formatKeyForDisplay,
  loadSts,
  VaultError,
  type CredentialProvider,
  type DebugLogger,
  type ProfileConfig,
  type SourceContext,
  type StsFactory,
} from '@awsvault/core';
import type { OutputSink } from '@awsvault/core';
import { readWebIdentityToken } from './webIdentityToken.js';

/** Test seams of `webIdentityProvider`; `vault` uses the defaults. */
export interface WebIdentityOptions {
  sts?: StsFactory;
  cwd?: string;
  timeoutMs?: number;
  ttyPath?: string | null;
  stderr?: OutputSink;
}

/** AssumeRoleWithWebIdentity is unsigned: the factory's credentials are never used, so none are given. */
const NO_CREDENTIALS = { accessKeyId: '', secretAccessKey: '' };

/**
 * The provider for a profile with `role_arn` and `web_identity_token_file` or
 * `web_identity_token_process`: reads the token each time it is called (core's session cache sits in
 * front, under `sts.AssumeRoleWithWebIdentity`) and calls `sts:AssumeRoleWithWebIdentity` with
 * RoleArn, RoleSessionName (the profile's, else the time in nanoseconds, as aws-vault),
 * DurationSeconds (the profile's AssumeRole duration) and the token, unsigned. `external_id`,
 * `mfa_serial`, session tags and `source_identity` are not sent, as in aws-vault.
 */
export function webIdentityProvider(
  profile: ProfileConfig,
  ctx: Pick<SourceContext, 'env' | 'debug' | 'clientConfig'>,
  options: WebIdentityOptions = {},
): CredentialProvider {
  const debug: DebugLogger = ctx.debug;
  const sts = options.sts ?? loadSts;
  return async () => {
    const roleArn = profile.roleArn;
    if (!roleArn) throw new VaultError('WEB_IDENTITY_NO_ROLE', `profile ${profile.name}: web identity needs role_arn`, { hint: 'add role_arn to the profile' });
    const token = await readWebIdentityToken(profile, {
      env: ctx.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.ttyPath !== undefined ? { ttyPath: options.ttyPath } : {}),
      ...(options.stderr ? { stderr: options.stderr } : {}),
    });
    const api = await sts(ctx.clientConfig('sts', profile), NO_CREDENTIALS);
    if (!api.assumeRoleWithWebIdentity) {
      throw new VaultError('STS_UNSUPPORTED', `profile ${profile.name}: this STS client cannot call AssumeRoleWithWebIdentity`);
    }
    debug(`profile ${profile.name}: using AssumeRoleWithWebIdentity ${roleArn} for ${formatGoDuration(profile.assumeRoleDuration * 1000)}`);
    let result;
    try {
      result = await api.assumeRoleWithWebIdentity({
        RoleArn: roleArn,
        RoleSessionName: profile.roleSessionName ?? defaultRoleSessionName(),
        DurationSeconds: profile.assumeRoleDuration,
        WebIdentityToken: token,
      });
    } catch (error) {
      throw awsCallError(profile.name, 'sts:AssumeRoleWithWebIdentity', error);
    }
    debug(
      `profile ${profile.name}: generated credentials ${formatKeyForDisplay(result.accessKeyId)} using AssumeRoleWithWebIdentity` +
        `${result.assumedRoleArn ? ` as ${result.assumedRoleArn}` : ''}, expires in ${formatGoDuration(result.expiration.getTime() - Date.now())}`,
    );
    // Only the credentials go on to the cache and the caller.
    return {
      accessKeyId: result.accessKeyId,
      secretAccessKey: result.secretAccessKey,
      ...(result.sessionToken ? { sessionToken: result.sessionToken } : {}),
      expiration: result.expiration,
    };
  };
}
