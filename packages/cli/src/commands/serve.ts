import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Flags } from '@oclif/core';
import { defaultLockDir, homeDirectory, loadSts, VaultError } from '@awsvault/core';
import { parseDurationFlag } from '../parseDurationFlag.js';
import { startEc2Server } from '../server/ec2Server.js';
import { roleCredentials } from '../server/execServer.js';
import { refreshWindowMs } from '../server/serverCredentials.js';
import { alreadyRunning, daemonStatePath, readDaemonState, removeDaemonState, writeDaemonState, type DaemonState } from '../serve/daemonState.js';
import { dockerBridgeAddress } from '../serve/dockerBridgeAddress.js';
import { oneAtATime } from '../serve/oneAtATime.js';
import { parsePort } from '../serve/parsePort.js';
import { providersFactory } from '../serve/providersFactory.js';
import { ServeCredentials } from '../serve/serveCredentials.js';
import { serveToken } from '../serve/serveToken.js';
import { hostInUrl, startServeServer } from '../serve/startServeServer.js';
import { VaultCommand } from '../vaultCommand.js';
import { sortSources } from '../sortSources.js';

/** The name containers reach the host by (with `--add-host=host.docker.internal:host-gateway` on Linux). */
const DOCKER_HOST_NAME = 'host.docker.internal';

export default class Serve extends VaultCommand {
  static override summary = 'Serve credentials of every profile to SDKs, until stopped.';
  static override description = 'Runs a long-lived ECS container-credentials endpoint: GET /profile/<name> answers that profile\'s credentials (any source: stored keys, roles, MFA, SSO, web identity, credential_process), /role-arn/<arn> a role assumed with --role-profile\'s. Every request carries a random token; credentials are held in memory and refreshed before they expire. `vault serve env PROFILE` prints the variables a client needs, and `vault exec --attach PROFILE` runs a command with them.';
  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --port 9911 --role-profile dev',
    '<%= config.bin %> serve --docker --tls-cert cert.pem --tls-key key.pem',
    '<%= config.bin %> serve --imds-port 9912 --imds-profile dev',
  ];
  static override flags = {
    port: Flags.string({ description: 'Port to listen on (0: any free port; the URL is printed on stderr)', default: '0', helpValue: 'PORT' }),
    bind: Flags.string({ description: 'Address to listen on (an IP address; default 127.0.0.1)', helpValue: 'ADDRESS' }),
    docker: Flags.boolean({ description: 'Also listen on the docker0 bridge address, for containers (host.docker.internal)', default: false }),
    'tls-cert': Flags.string({ description: 'Serve HTTPS with this certificate chain (PEM); needs --tls-key', helpValue: 'FILE' }),
    'tls-key': Flags.string({ description: 'Private key (PEM) of --tls-cert', helpValue: 'FILE' }),
    'token-file': Flags.string({ description: 'Read the Authorization token from this file (mode 0600) instead of generating one', helpValue: 'FILE' }),
    'role-profile': Flags.string({ description: 'Profile whose credentials /role-arn/<arn> assumes roles with (default: $AWS_PROFILE; without either, /role-arn/ is off)', helpValue: 'PROFILE' }),
    'imds-port': Flags.string({ description: 'Also serve the EC2 metadata credential routes (IMDSv2) on 127.0.0.1:PORT, for --imds-profile', helpValue: 'PORT' }),
    'imds-profile': Flags.string({ description: 'Profile the EC2 metadata server hands out (default: --role-profile)', helpValue: 'PROFILE' }),
    'imds-v2-only': Flags.boolean({ description: 'With --imds-port: refuse IMDSv1 requests (those without a session token)', default: false }),
    duration: Flags.string({ char: 'd', description: 'Duration of the temporary or assume-role sessions. Defaults to 1h', env: 'AWS_VAULT_DURATION' }),
    stdout: Flags.boolean({ description: 'Print SSO links on stderr instead of opening a browser', env: 'AWS_VAULT_STDOUT', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseVault(Serve);
    const env = this.env();
    const debug = this.debugLog;
    const running = await readDaemonState(env);
    if (running) throw alreadyRunning(running);

    const port = parsePort(flags.port, '--port');
    const imdsPort = flags['imds-port'] === undefined ? undefined : parsePort(flags['imds-port'], '--imds-port');
    if (flags.docker && flags.bind !== undefined) throw new VaultError('FLAGS_CONFLICT', "Can't use --docker with --bind", { hint: '--docker listens on 127.0.0.1 and the docker0 address' });
    if ((flags['tls-cert'] === undefined) !== (flags['tls-key'] === undefined)) throw new VaultError('FLAGS_CONFLICT', '--tls-cert and --tls-key go together');
    const bind = flags.bind ?? '127.0.0.1';
    if (!isIP(bind)) throw new VaultError('FLAG_INVALID', `--bind ${bind} is not an IP address`, { hint: 'e.g. --bind 127.0.0.1' });
    if (/^(0\.0\.0\.0|::|0:0:0:0:0:0:0:0)$/.test(bind)) throw new VaultError('FLAG_INVALID', `--bind ${bind} would listen on every network`, { hint: 'bind one address; for containers use --docker' });
    const dockerAddress = flags.docker ? dockerBridgeAddress() : undefined;
    const tls = flags['tls-cert'] && flags['tls-key'] ? { cert: readPem(flags['tls-cert'], '--tls-cert'), key: readPem(flags['tls-key'], '--tls-key') } : undefined;
    const token = serveToken(flags['token-file']);
    const windowMs = refreshWindowMs(env);
    const durationSeconds = flags.duration === undefined ? undefined : parseDurationFlag(flags.duration);

    const registry = await this.registry();
    const credentials = new ServeCredentials(
      providersFactory({
        loadConfig: () => this.awsConfig(),
        backend: await this.openBackend(flags),
        env,
        // One prompt at a time on the daemon's terminal; it fails in one line when a code is needed and there is none.
        mfaPrompt: oneAtATime(await this.mfaPrompt(flags)),
        sources: sortSources(registry.sources.values()),
        lockDir: defaultLockDir(env, homeDirectory(env)),
        durationSeconds,
        stdout: flags.stdout,
        debug,
      }),
      { windowMs, debug },
    );

    // The profiles named by flags are resolved now (no STS call), so a typo fails at start, not at the first request.
    const roleProfileName = flags['role-profile'] ?? (env['AWS_PROFILE'] || undefined);
    const roleBase = roleProfileName === undefined ? undefined : await credentials.profile(roleProfileName);
    const roles = roleBase ? roleCredentials({ profile: roleBase.profile, env, base: roleBase.credentials, windowMs, debug, sts: loadSts }) : undefined;
    const secrets = () => [...credentials.secrets(), ...(roles?.secrets() ?? [])];

    const closers: Array<() => Promise<void> | void> = [() => credentials.close()];
    const stop = async () => {
      for (const close of closers.reverse()) await close();
    };
    // Listening before anything is published: a signal that arrives once the state file exists must stop the daemon cleanly.
    // `on`, not `once`, and kept: a module that re-raises a signal when it sees no other listener
    // (signal-exit, loaded by a dependency on first use) would otherwise kill the daemon mid-cleanup.
    const signalled = new Promise<NodeJS.Signals>((resolve) => {
      for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(name, () => resolve(name));
    });
    try {
      const server = await startServeServer({
        hosts: dockerAddress ? ['127.0.0.1', dockerAddress] : [bind],
        port,
        token,
        credentials: (name) => credentials.get(name),
        roleCredentials: roles?.get,
        roleRouteOff: '/role-arn/ is off: start vault serve with --role-profile PROFILE (or AWS_PROFILE) to serve it',
        extraHostNames: dockerAddress ? [DOCKER_HOST_NAME] : [],
        tls,
        secrets,
        debug,
      }).catch((error: unknown) => {
        throw portError(error, `${hostInUrl(bind)}:${port}`, '--port');
      });
      closers.push(() => server.close());

      let imdsUrl: string | undefined;
      if (imdsPort !== undefined) {
        const imdsProfileName = flags['imds-profile'] ?? roleProfileName;
        if (imdsProfileName === undefined) throw new VaultError('FLAGS_CONFLICT', '--imds-port needs --imds-profile (or --role-profile)');
        const held = await credentials.profile(imdsProfileName);
        const imds = await startEc2Server({
          credentials: () => held.credentials.get(),
          region: held.profile.region,
          port: imdsPort,
          mode: 'direct',
          v2Only: flags['imds-v2-only'],
          secrets,
          debug,
        }).catch((error: unknown) => {
          throw portError(error, `127.0.0.1:${imdsPort}`, '--imds-port');
        });
        closers.push(() => imds.close());
        imdsUrl = imds.url;
        process.stderr.write(`vault serve: EC2 metadata (IMDSv2) for profile ${held.profile.name} on ${imds.url}/ (AWS_EC2_METADATA_SERVICE_ENDPOINT=${imds.url}/)\n`);
      }

      const scheme = tls ? 'https' : 'http';
      const state: DaemonState = {
        url: server.url,
        token,
        pid: process.pid,
        tls: tls !== undefined,
        ...(dockerAddress ? { dockerUrl: `${scheme}://${DOCKER_HOST_NAME}:${server.port}` } : {}),
        ...(imdsUrl ? { imdsUrl } : {}),
      };
      const statePath = daemonStatePath(env);
      writeDaemonState(statePath, state);
      closers.push(() => removeDaemonState(statePath));
      // Also on an unexpected exit; the file of a dead daemon is ignored by readers anyway.
      process.once('exit', () => removeDaemonState(statePath));

      process.stderr.write(`vault serve: listening on ${server.url} (GET /profile/<name>${roleBase ? `, /role-arn/<arn> with profile ${roleBase.profile.name}'s credentials` : ''})\n`);
      if (state.dockerUrl) {
        process.stderr.write(`vault serve: containers: AWS_CONTAINER_CREDENTIALS_FULL_URI=${state.dockerUrl}/profile/<name> with --add-host=${DOCKER_HOST_NAME}:host-gateway; the token: vault serve env --docker <name>\n`);
        if (!tls) process.stderr.write(`vault serve: warning: AWS SDKs accept a container endpoint that is not loopback only over HTTPS: add --tls-cert and --tls-key for ${DOCKER_HOST_NAME}\n`);
      }
      process.stderr.write(`vault serve: state in ${statePath}; stop with Ctrl-C or kill ${process.pid}\n`);
      debug(`vault serve: refresh window ${windowMs} ms`);

      const signal = await signalled;
      debug(`vault serve: ${signal}, stopping`);
    } finally {
      await stop();
    }
    // A backend or prompt may hold handles open; the daemon's work is done.
    setTimeout(() => process.exit(0), 1000).unref();
  }
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new VaultError('FLAG_INVALID', `${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function portError(error: unknown, where: string, flag: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new VaultError('SERVE_PORT_IN_USE', `vault serve: cannot listen on ${where} (${code})`, { hint: `choose another ${flag}, or 0 for any free port` });
  }
  if (code === 'ERR_OSSL_PEM_NO_START_LINE' || (typeof code === 'string' && code.startsWith('ERR_OSSL'))) {
    return new VaultError('FLAG_INVALID', `--tls-cert/--tls-key: not a usable PEM certificate and key (${code})`);
  }
  return error;
}

