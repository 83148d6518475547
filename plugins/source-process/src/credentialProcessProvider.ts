import { formatGoDuration, formatKeyForDisplay, type CredentialProvider, type ProfileConfig, type SourceContext } from '@awsvault/core';
import { parseProcessOutput } from './parseProcessOutput.js';
import { runCommand, type OutputSink } from '@awsvault/core';

/** Test seams of `credentialProcessProvider`; `vault` uses the defaults. */
export interface CredentialProcessOptions {
  /** Milliseconds; default from `AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT`, else 60 s. */
  timeoutMs?: number;
  /** The child's stdin terminal; `null` for none. Default `/dev/tty`. */
  ttyPath?: string | null;
  stderr?: OutputSink;
  cwd?: string;
  now?: () => number;
}

/**
 * The provider for a profile's `credential_process`: runs the command each time it is called
 * (core's session cache sits in front of it and skips the run while cached credentials last) and
 * returns the credentials it printed. `mfa_serial` and `role_arn` on the profile are not used, as in
 * aws-vault (issue 1176).
 */
export function credentialProcessProvider(
  profile: ProfileConfig,
  ctx: Pick<SourceContext, 'env' | 'debug'>,
  options: CredentialProcessOptions = {},
): CredentialProvider {
  const line = profile.credentialProcess ?? '';
  const now = options.now ?? Date.now;
  return async () => {
    ctx.debug(`profile ${profile.name}: running credential_process`);
    const stdout = await runCommand(line, {
      what: 'credential_process',
      codePrefix: 'CREDENTIAL_PROCESS',
      profileName: profile.name,
      env: ctx.env,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.ttyPath !== undefined ? { ttyPath: options.ttyPath } : {}),
      ...(options.stderr ? { stderr: options.stderr } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    const credentials = parseProcessOutput(stdout, profile.name, now());
    const lifetime = credentials.expiration ? `expires in ${formatGoDuration(credentials.expiration.getTime() - now())}` : 'no expiration (not cached)';
    ctx.debug(`profile ${profile.name}: got credentials ${formatKeyForDisplay(credentials.accessKeyId)} from credential_process, ${lifetime}`);
    return credentials;
  };
}
