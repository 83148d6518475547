import type { Credentials } from '../credentials.js';
import type { ClientConfig } from '../source.js';

/** STS temporary credentials as vault uses them. */
export type SessionCredentials = Credentials & { expiration: Date };

/** What `AssumeRoleWithWebIdentity` answers: the role session, and who STS took the token to be. @public */
export type WebIdentityCredentials = SessionCredentials & {
  /** `AssumedRoleUser.Arn`: `arn:aws:sts::<account>:assumed-role/<role>/<session name>`. */
  assumedRoleArn?: string;
  /** `SubjectFromWebIdentityToken`: the token's `sub` claim. */
  subject?: string;
  /** `Provider`: the token's issuer. */
  provider?: string;
  /** `Audience`: the token's client id. */
  audience?: string;
};

/** The STS calls vault makes, in a shape that hides the SDK (so tests and the fast path need no SDK). @public */
export interface StsApi {
  getSessionToken(input: { DurationSeconds: number; SerialNumber?: string; TokenCode?: string }): Promise<SessionCredentials>;
  assumeRole(input: {
    RoleArn: string;
    RoleSessionName: string;
    DurationSeconds: number;
    ExternalId?: string;
    SerialNumber?: string;
    TokenCode?: string;
    SourceIdentity?: string;
    Tags?: Array<{ Key: string; Value: string }>;
    TransitiveTagKeys?: string[];
  }): Promise<SessionCredentials>;
  getFederationToken(input: { Name: string; DurationSeconds: number; Policy?: string }): Promise<SessionCredentials>;
  getCallerIdentity(): Promise<{ Account: string; Arn: string; UserId: string }>;
  /**
   * `sts:AssumeRoleWithWebIdentity`. AWS authenticates this call by the token, not by a signature:
   * an implementation sends it unsigned, whatever credentials its factory was given. Optional, so
   * fakes written before it still satisfy the interface; callers report its absence.
   */
  assumeRoleWithWebIdentity?(input: {
    RoleArn: string;
    RoleSessionName: string;
    DurationSeconds: number;
    WebIdentityToken: string;
  }): Promise<WebIdentityCredentials>;
}

/** Makes an `StsApi` for one client configuration and set of credentials. @public */
export type StsFactory = (config: ClientConfig, credentials: Credentials) => Promise<StsApi>;
