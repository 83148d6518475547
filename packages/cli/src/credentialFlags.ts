import { Flags } from '@oclif/core';

/** The flags `exec`, `export` and `login` share with aws-vault. */
export const credentialFlags = {
  duration: Flags.string({ char: 'd', description: 'Duration of the temporary or assume-role session. Defaults to 1h', env: 'AWS_VAULT_DURATION' }),
  'no-session': Flags.boolean({ char: 'n', description: 'Skip creating STS session with GetSessionToken', default: false }),
  region: Flags.string({ description: 'The AWS region' }),
  'mfa-token': Flags.string({ char: 't', description: 'The MFA token to use' }),
  stdout: Flags.boolean({ description: 'Print the SSO link to the terminal without automatically opening the browser', env: 'AWS_VAULT_STDOUT', default: false }),
};
