import type { Credentials } from '../credentials.js';
import type { ClientConfig } from '../source.js';

/** An IAM user as `iam:GetUser` describes it. @public */
export interface IamUser {
  UserName: string;
  Arn: string;
  UserId: string;
}

/** A freshly created access key; the secret is shown by IAM only this once. @public */
export interface CreatedAccessKey {
  AccessKeyId: string;
  SecretAccessKey: string;
  UserName: string;
}

/** The IAM calls vault makes (`rotate`, and user-name discovery for `login`), without the SDK's types. @public */
export interface IamApi {
  /** Without `UserName`: the user that owns the signing key. */
  getUser(input?: { UserName?: string }): Promise<IamUser>;
  createAccessKey(input: { UserName?: string }): Promise<CreatedAccessKey>;
  deleteAccessKey(input: { AccessKeyId: string; UserName?: string }): Promise<void>;
}

/** Makes an `IamApi` for one client configuration and set of credentials. @public */
export type IamFactory = (config: ClientConfig, credentials: Credentials) => Promise<IamApi>;
