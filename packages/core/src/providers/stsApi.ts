import type { Credentials } from '../credentials.js';
import type { ClientConfig } from '../source.js';

/** STS temporary credentials as vault uses them. */
export type SessionCredentials = Credentials & { expiration: Date };

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
}

/** Makes an `StsApi` for one client configuration and set of credentials. @public */
export type StsFactory = (config: ClientConfig, credentials: Credentials) => Promise<StsApi>;
