import type { Credentials } from '../credentials.js';
import { VaultError } from '../errors.js';
import { sdkClientOptions, withoutSdkNodeWarning } from '../providers/loadSts.js';
import type { ClientConfig } from '../source.js';
import type { IamApi, IamFactory } from './iamApi.js';

/**
 * The only importer of `@aws-sdk/client-iam`, loaded when an IAM call is really made, so commands
 * that never touch IAM (everything but `rotate` and `login`) never pay for it. The region and
 * endpoint come from `clientConfigFor('iam', …)`: `AWS_ENDPOINT_URL_IAM`, then `AWS_ENDPOINT_URL` /
 * `endpoint_url`, and `us-east-1` when no region is configured (IAM is a global service).
 * @public
 */
export const loadIam: IamFactory = async (config: ClientConfig, credentials: Credentials): Promise<IamApi> => {
  const sdk = await import('@aws-sdk/client-iam');
  const client = withoutSdkNodeWarning(() => new sdk.IAMClient(sdkClientOptions(config, credentials)));
  return {
    getUser: async (input = {}) => {
      const out = await client.send(new sdk.GetUserCommand(input));
      const user = out.User;
      if (!user?.UserName || !user.Arn) throw new VaultError('IAM_BAD_RESPONSE', 'IAM answered GetUser without a user');
      return { UserName: user.UserName, Arn: user.Arn, UserId: user.UserId ?? '' };
    },
    createAccessKey: async (input) => {
      const out = await client.send(new sdk.CreateAccessKeyCommand(input));
      const key = out.AccessKey;
      if (!key?.AccessKeyId || !key.SecretAccessKey) throw new VaultError('IAM_BAD_RESPONSE', 'IAM answered CreateAccessKey without a key');
      return { AccessKeyId: key.AccessKeyId, SecretAccessKey: key.SecretAccessKey, UserName: key.UserName ?? input.UserName ?? '' };
    },
    deleteAccessKey: async (input) => {
      await client.send(new sdk.DeleteAccessKeyCommand(input));
    },
  };
};
