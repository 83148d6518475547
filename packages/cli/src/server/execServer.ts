import {
  assumeRoleProvider, clientConfigFor, isVaultError, loadSts, VaultError, type CredentialProvider, type Credentials, type DebugLogger, type ProfileConfig,
  type StsFactory,
} from '@awsvault/core';
import { buildEnv } from '../exec/buildEnv.js';
import { runChild } from '../exec/runChild.js';
import { startEc2Server, EC2_SERVER_PORT, type Ec2Server } from './ec2Server.js';
import { launchMetadataProxy, metadataEndpointAnswers, stopMetadataProxy } from './ec2Proxy.js';
import { startEcsServer, type EcsServer } from './ecsServer.js';
import { METADATA_IP } from './hostCheck.js';
import { publicMessage, RefreshingCredentials, refreshWindowMs } from './serverCredentials.js';

/** Roles kept in memory for `/role-arn/`; the least recently used is dropped beyond this. */
const MAX_ROLES = 64;
/** AWS caps a role session assumed with temporary credentials (role chaining) at one hour. */
const CHAINED_ROLE_MAX_SECONDS = 3600;

/** Variables that would make the child's SDK look somewhere other than the server vault starts. */
export const CONTAINER_VARIABLES = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'];
export const IMDS_VARIABLES = ['AWS_EC2_METADATA_DISABLED', 'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE'];

export const ECS_HELP = "Starting a local ECS credential server; your app's AWS sdk must support AWS_CONTAINER_CREDENTIALS_FULL_URI.";
export const ec2Help = (where: string) => `Warning: Starting a local EC2 credential server on ${where}; AWS credentials will be accessible to any process while it is running`;

export interface ServerModeOptions {
  mode: 'ecs' | 'ec2';
  /** Fetch nothing (and prompt for nothing) until the first request. */
  lazy: boolean;
  /** `--ec2-server-port`: serve the child directly on 127.0.0.1:<port> (0: any free port) instead of through the proxy. */
  ec2Port?: number | undefined;
  /** `--imds-v2-only`. */
  v2Only: boolean;
  profile: ProfileConfig;
  provider: CredentialProvider;
  env: Readonly<Record<string, string | undefined>>;
  command: string;
  args: string[];
  debug: DebugLogger;
  /** Shows aws-vault's help lines (stderr or the debug log, by exec's rules). */
  help: (message: string) => void;
  sts?: StsFactory;
  /** The privileged proxy's side of `--ec2-server` (tests replace it; 169.254.169.254 is never touched then). */
  metadataProxy?: MetadataProxyControl;
}

/** How `--ec2-server` without a port reaches 169.254.169.254:80. */
export interface MetadataProxyControl {
  /** The credential server's port behind the proxy (9099). */
  serverPort: number;
  /** Whether something already answers on 169.254.169.254:80. */
  endpointBusy: () => Promise<boolean>;
  /** Starts the proxy (`sudo -b vault proxy`) and waits until it answers. */
  launch: (debug: DebugLogger) => Promise<void>;
  /** Asks it to remove the alias and exit. */
  stop: () => Promise<void>;
}

const REAL_PROXY: MetadataProxyControl = {
  serverPort: EC2_SERVER_PORT,
  endpointBusy: () => metadataEndpointAnswers(),
  launch: (debug) => launchMetadataProxy(debug),
  stop: () => stopMetadataProxy(),
};

/**
 * `vault exec --ecs-server | --ec2-server`: gets the profile's credentials (unless lazy), starts the
 * server, runs the command with an environment that points its SDK at the server and holds no keys,
 * and stops the server (and the proxy) when the command exits. Resolves the command's exit code.
 */
export async function runWithServer(options: ServerModeOptions): Promise<number> {
  const { profile, env, debug } = options;
  const windowMs = refreshWindowMs(env);
  const base = new RefreshingCredentials(options.provider, { label: `profile ${profile.name}`, windowMs, debug });
  if (!options.lazy) {
    try {
      await base.get();
    } catch (error) {
      throw asOneLine(error, profile.name);
    }
  }
  const roles = roleCredentials({ profile, env, base, windowMs, debug, sts: options.sts ?? loadSts });
  const secrets = () => [...base.secrets(), ...roles.secrets()];

  const childEnv = buildEnv(env, { profileName: profile.name, region: profile.region, endpointUrl: profile.endpointUrl }, undefined);
  for (const name of [...CONTAINER_VARIABLES, ...IMDS_VARIABLES]) delete childEnv[name];

  const cleanups: Array<() => Promise<void>> = [];
  try {
    if (options.mode === 'ecs') {
      const server: EcsServer = await startEcsServer({ credentials: () => base.get(), roleCredentials: roles.get, secrets, debug });
      cleanups.push(() => server.close());
      childEnv['AWS_CONTAINER_CREDENTIALS_FULL_URI'] = server.url;
      childEnv['AWS_CONTAINER_AUTHORIZATION_TOKEN'] = server.token;
      debug(`ECS credential server listening on ${server.url}`);
      options.help(ECS_HELP);
    } else if (options.ec2Port !== undefined) {
      const server = await startEc2(options, base, secrets, options.ec2Port, 'direct');
      cleanups.push(() => server.close());
      // With the trailing slash: the AWS CLI (botocore) appends `latest/api/token` to the value as it is.
      childEnv['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = `${server.url}/`;
      childEnv['AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE'] = 'IPv4';
      debug(`EC2 metadata server listening on ${server.url}`);
      options.help(ec2Help(`127.0.0.1:${server.port}`));
    } else {
      const proxy = options.metadataProxy ?? REAL_PROXY;
      if (await proxy.endpointBusy()) {
        throw new VaultError('EC2_ENDPOINT_BUSY', `Another process is already bound to ${METADATA_IP}:80`, { hint: 'stop it (a vault proxy stops with `vault proxy --stop`), or use --ec2-server-port' });
      }
      const server = await startEc2(options, base, secrets, proxy.serverPort, 'proxied');
      cleanups.push(() => server.close());
      options.help(ec2Help(`${METADATA_IP}:80`));
      await proxy.launch(debug);
      cleanups.push(() => proxy.stop().catch((error: unknown) => debug(`stopping the metadata proxy: ${(error as Error).message}`)));
    }
    return await runChild(options.command, options.args, childEnv);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

async function startEc2(options: ServerModeOptions, base: RefreshingCredentials, secrets: () => string[], port: number, mode: 'direct' | 'proxied'): Promise<Ec2Server> {
  try {
    return await startEc2Server({ credentials: () => base.get(), region: options.profile.region, port, mode, v2Only: options.v2Only, secrets, debug: options.debug });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new VaultError('EC2_PORT_IN_USE', `profile ${options.profile.name}: cannot listen on 127.0.0.1:${port} for the EC2 metadata server (${code})`, {
        hint: mode === 'proxied' ? 'another vault or aws-vault --ec2-server may be running' : 'choose another --ec2-server-port, or 0 for any free port',
      });
    }
    throw error;
  }
}

/** A provider failure as vault reports it: vault's own errors as they are, anything else on one line naming the profile. */
function asOneLine(error: unknown, profileName: string): unknown {
  if (isVaultError(error)) return error;
  return new VaultError('SERVER_CREDENTIALS', `profile ${profileName}: could not get credentials for the server: ${publicMessage(error, [], (error as Error)?.message ?? String(error))}`);
}

/**
 * `/role-arn/<arn>`: sts:AssumeRole of the ARN with the profile's credentials, as aws-vault does it —
 * the profile's AssumeRole duration (capped at an hour when those credentials are temporary), the
 * default session name, and no MFA, external id, tags or source identity. Each ARN's credentials are
 * held and refreshed like the profile's.
 */
export function roleCredentials(options: { profile: ProfileConfig; env: Readonly<Record<string, string | undefined>>; base: RefreshingCredentials; windowMs: number; debug: DebugLogger; sts: StsFactory }) {
  const { profile, base, debug } = options;
  const roleProfile: ProfileConfig = { ...profile };
  delete roleProfile.roleSessionName;
  delete roleProfile.externalId;
  delete roleProfile.sourceIdentity;
  delete roleProfile.sessionTags;
  delete roleProfile.transitiveSessionTags;
  const clientConfig = clientConfigFor('sts', profile, options.env);
  const noMfa = async (): Promise<string> => {
    throw new VaultError('MFA_NOT_ALLOWED', `profile ${profile.name}: the /role-arn/ route does not ask for MFA codes`);
  };
  const held = new Map<string, RefreshingCredentials>();
  const assume = (roleArn: string): CredentialProvider => async (): Promise<Credentials> => {
    const source = await base.get();
    const durationSeconds = source.sessionToken ? Math.min(profile.assumeRoleDuration, CHAINED_ROLE_MAX_SECONDS) : profile.assumeRoleDuration;
    return assumeRoleProvider({ source: async () => source, profile: roleProfile, roleArn, durationSeconds, mfaCode: noMfa, clientConfig, sts: options.sts, debug })();
  };
  return {
    get: (roleArn: string): Promise<Credentials> => {
      let entry = held.get(roleArn);
      if (entry) {
        held.delete(roleArn);
      } else {
        entry = new RefreshingCredentials(assume(roleArn), { label: `profile ${profile.name}: role ${roleArn}`, windowMs: options.windowMs, debug });
        if (held.size >= MAX_ROLES) held.delete(held.keys().next().value as string);
      }
      held.set(roleArn, entry);
      return entry.get();
    },
    secrets: (): string[] => [...held.values()].flatMap((entry) => entry.secrets()),
  };
}
