import type { Backend } from './backend.js';
import type { ProfileConfig } from './config/ProfileConfig.js';
import type { CredentialProvider } from './credentials.js';
import type { DebugLogger } from './logger.js';
import type { MfaPrompt } from './prompt.js';

/** Region and endpoint for one AWS service, honouring `AWS_ENDPOINT_URL*` and `endpoint_url`. @public */
export interface ClientConfig {
  region: string;
  endpoint?: string;
}

/** What core hands a source when it creates a provider for a profile. @public */
export interface SourceContext {
  /** The store, for tokens a source must keep (SSO access tokens). */
  backend: Backend;
  mfaPrompt: MfaPrompt;
  clientConfig(service: string, profile: ProfileConfig): ClientConfig;
  env: Readonly<Record<string, string | undefined>>;
  debug: DebugLogger;
  /** `--stdout`: print URLs instead of opening a browser. */
  stdout?: boolean;
}

/**
 * A credential source (SSO, web identity, credential_process) as a plugin declares it. Core wraps
 * what `create` returns in the one session cache under `sessionType`; a source never caches itself.
 * @public
 */
export interface SourceDefinition {
  kind: 'source';
  name: string;
  /** aws-vault's cached-session type name, e.g. `sso.GetRoleCredentials`. */
  sessionType: string;
  /** The third field of the session key (SSO: the start URL); empty by default. */
  sessionKeyDetail?(profile: ProfileConfig): string;
  matches(profile: ProfileConfig): boolean;
  create(profile: ProfileConfig, ctx: SourceContext): CredentialProvider | Promise<CredentialProvider>;
}

/** The default export of a plugin's `vault:source` hook file. @public */
export function defineSource(definition: Omit<SourceDefinition, 'kind'>): () => Promise<SourceDefinition> {
  const full: SourceDefinition = { ...definition, kind: 'source' };
  return async () => full;
}
