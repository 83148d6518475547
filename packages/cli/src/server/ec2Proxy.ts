import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { realpathSync } from 'node:fs';
import { silentLogger, VaultError, type DebugLogger } from '@awsvault/core';
import { EC2_SERVER_PORT } from './ec2Server.js';
import { isLoopbackAddress, METADATA_IP } from './hostCheck.js';
import { listen, sendText, type ListeningServer } from './httpServer.js';

/** The header `vault proxy --stop` sends with `GET /stop`: a web page cannot add it without a CORS preflight. */
export const STOP_HEADER = 'x-vault-proxy-stop';

/** Headers that belong to one connection and are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate']);

export interface MetadataProxyOptions {
  /** Default 169.254.169.254 and 80; tests use a loopback port. */
  host?: string;
  port?: number;
  /** Where the credential server listens on 127.0.0.1; default 9099. */
  upstreamPort?: number;
  debug?: DebugLogger;
}

export interface MetadataProxy extends ListeningServer {
  /** Resolves when a client asked the proxy to stop (`GET /stop`). */
  readonly stopRequested: Promise<void>;
}

/**
 * The privileged half of `--ec2-server`: listens on 169.254.169.254:80 and passes every request, with
 * its `Host` header, to the credential server on 127.0.0.1:9099, which does all the checking. Only
 * this machine may connect (the alias lives on the loopback interface, but a host on the same link
 * could still route packets to it). `GET /stop` with the stop header ends it. No `X-Forwarded-For`
 * is added: the credential server refuses IMDSv2 token requests that carry one.
 */
export async function startMetadataProxy(options: MetadataProxyOptions = {}): Promise<MetadataProxy> {
  const host = options.host ?? METADATA_IP;
  const upstreamPort = options.upstreamPort ?? EC2_SERVER_PORT;
  const debug = options.debug ?? silentLogger;
  let stop: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (stop = resolve));
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const peer = req.socket.remoteAddress;
    if (!isLoopbackAddress(peer) && peer !== host && peer !== `::ffff:${host}`) return sendText(res, 401, 'Access denied from non-localhost address\n');
    if ((req.url === '/stop' || req.url?.startsWith('/stop?')) && req.headers[STOP_HEADER] === '1') {
      // Stop once the answer is on its way, so the client that asked sees it.
      res.on('finish', () => stop());
      sendText(res, 200, 'stopping\n');
      return;
    }
    await forward(req, res, upstreamPort);
  };
  const listening = await listen(host, options.port ?? 80, handle, debug);
  return { ...listening, stopRequested };
}

function forward(req: IncomingMessage, res: ServerResponse, upstreamPort: number): Promise<void> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    const upstream = request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers, timeout: 30_000 }, (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) sendText(res, 502, 'the vault credential server is not running\n');
      else res.destroy();
      resolve();
    });
    // Bodies (a PUT of a token request has none) are not forwarded; the credential server ignores them.
    upstream.end();
  });
}

/** Whether anything accepts connections on 169.254.169.254:80 (a real instance's IMDS, or a proxy). */
export function metadataEndpointAnswers(timeoutMs = 300, host = METADATA_IP, port = 80): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * argv that runs this same vault by absolute paths: the node binary and the real path of the script
 * (aws-vault meant to do this but used `argv[0]`, Appendix A 8), so `sudo` with its own PATH, or a
 * different working directory, runs the same program.
 */
export function vaultInvocation(): string[] {
  const script = process.argv[1];
  if (!script) return [process.execPath];
  try {
    return [process.execPath, realpathSync(script)];
  } catch {
    return [process.execPath];
  }
}

/** Asks a running proxy to remove its alias and exit. */
export function stopMetadataProxy(host = METADATA_IP, port = 80): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/stop', method: 'GET', headers: { [STOP_HEADER]: '1' }, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new VaultError('PROXY_STOP_FAILED', `the process on ${host}:${port} refused to stop (HTTP ${res.statusCode})`, { hint: 'it may not be a vault proxy' }))));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new VaultError('PROXY_NOT_RUNNING', `no EC2 metadata proxy answers on ${host}:${port}: ${error.code ?? error.message}`)));
    req.end();
  });
}

/**
 * Starts `vault proxy` as root in the background (`sudo -b`, which may ask for the user's password on
 * the terminal; on Windows the current user must already be an administrator) and waits until it
 * answers on 169.254.169.254:80.
 */
export async function launchMetadataProxy(debug: DebugLogger, waitMs = 10_000): Promise<void> {
  const { spawn } = await import('node:child_process');
  const [file, ...args] = process.platform === 'win32' ? [...vaultInvocation(), 'proxy'] : ['sudo', '-b', ...vaultInvocation(), 'proxy'];
  debug(`starting the metadata proxy: ${[file, ...args].join(' ')}`);
  const windows = process.platform === 'win32';
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file as string, args, windows ? { stdio: 'ignore', detached: true } : { stdio: 'inherit' });
    child.on('error', (error) => reject(new VaultError('PROXY_START_FAILED', `cannot start the EC2 metadata proxy: ${error.message}`, { hint: 'use --ec2-server-port to serve on a loopback port without root' })));
    if (windows) {
      child.unref();
      resolve();
      return;
    }
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new VaultError('PROXY_START_FAILED', `sudo could not start the EC2 metadata proxy (exit code ${code})`, { hint: 'use --ec2-server-port to serve on a loopback port without root' }));
    });
  });
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (await metadataEndpointAnswers()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new VaultError('PROXY_START_FAILED', "The EC2 Instance Metadata endpoint proxy server isn't running", {
    hint: 'run `vault proxy` as Administrator or root in the background and then try this command again, or use --ec2-server-port',
  });
}

/** The commands that add and remove the 169.254.169.254 alias on the loopback interface, as aws-vault runs them. */
export function aliasCommands(platform: NodeJS.Platform = process.platform): { add: string[]; remove: string[] } {
  switch (platform) {
    case 'linux':
      return { add: ['ip', 'addr', 'add', `${METADATA_IP}/24`, 'dev', 'lo', 'label', 'lo:0'], remove: ['ip', 'addr', 'del', `${METADATA_IP}/24`, 'dev', 'lo', 'label', 'lo:0'] };
    case 'win32':
      return {
        add: ['netsh', 'interface', 'ipv4', 'add', 'address', 'Loopback Pseudo-Interface 1', METADATA_IP, '255.255.0.0'],
        remove: ['netsh', 'interface', 'ipv4', 'delete', 'address', 'Loopback Pseudo-Interface 1', METADATA_IP, '255.255.0.0'],
      };
    default:
      return { add: ['ifconfig', 'lo0', 'alias', METADATA_IP], remove: ['ifconfig', 'lo0', '-alias', METADATA_IP] };
  }
}

/** Output of an alias command that means the alias is already there (or already gone): not an error. */
export function aliasAlreadyDone(output: string): boolean {
  return /File exists|already (exists|assigned)|existiert bereits|ya existe|findes allerede|assign requested address/i.test(output);
}

/** Runs one alias command; a failure other than "already there" is an error naming the command. */
export async function runAliasCommand(argv: string[], debug: DebugLogger): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  debug(`running ${argv.join(' ')}`);
  const result = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.error) throw new VaultError('PROXY_ALIAS_FAILED', `cannot run ${argv[0]}: ${(result.error as NodeJS.ErrnoException).code ?? result.error.message}`);
  if (result.status === 0 || aliasAlreadyDone(output)) return;
  if (/Run as administrator|elevation|Operation not permitted|permission denied/i.test(output)) {
    throw new VaultError('PROXY_ALIAS_FAILED', `Creation of network alias for server mode requires elevated permissions${output ? `: ${output.split('\n')[0]}` : ''}`, { hint: 'run as administrator or root' });
  }
  throw new VaultError('PROXY_ALIAS_FAILED', `${argv.join(' ')} failed: ${output.split('\n')[0] ?? `exit code ${result.status}`}`);
}
