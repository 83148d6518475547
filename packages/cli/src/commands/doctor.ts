import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import {
  clientConfigFor, configFilePaths, formatGoDuration, homeDirectory, isCredentialsKey, isOidcTokenKey, isSessionKey, isVaultError, loadAwsConfig,
  parseGoDuration, profilesInChain, resolveProfile, VaultError, type AwsConfig, type Backend, type BackendContext, type BackendDefinition, type DebugLogger,
  type PromptDefinition,
} from '@awsvault/core';
import type { Registry } from '../registry.js';
import { selectBackend } from '../selectBackend.js';
import { BACKEND_FLAG_ENV, VaultCommand } from '../vaultCommand.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the report. `warn` is worth knowing but does not fail the run. */
export interface Check {
  id: string;
  status: CheckStatus;
  title: string;
  message: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

/** SigV4 signatures are refused when the signer's clock is further off than this. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Backends doctor may read one item from: no OS dialog or gpg-agent can appear, only our passphrase callback. */
const READ_PROBE_BACKENDS = new Set(['file']);

/** Backend settings aws-vault takes as global flags, and the variables the backends read them from (as VaultCommand's). */


export default class Doctor extends VaultCommand {
  static override summary = 'Check the AWS config, the secret backends, the MFA prompts and the way to AWS.';
  static override description = [
    'Prints one line per check and exits 1 if any fails: the config files parse and every profile resolves; each installed backend is',
    'available here (or why not); the selected backend opens and lists its items; which MFA prompts are installed and available and which',
    'one would be used; the STS endpoint and region of the profile (--profile, else $AWS_PROFILE, else default) answer an unsigned HTTP',
    'request; the clock is within 5 minutes of that answer\'s Date header (SigV4 refuses more); the fast-path bundle is installed.',
    'Nothing is signed, stored or prompted for: a backend that would ask for a passphrase is reported as locked.',
  ].join(' ');
  static override enableJsonFlag = true;
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --profile prod', '<%= config.bin %> doctor --json'];
  static override flags = {
    profile: Flags.string({ description: 'Profile whose STS endpoint to check (default: $AWS_PROFILE, else default)' }),
    timeout: Flags.string({ description: 'How long to wait for the STS endpoint', default: '5s' }),
  };

  async run(): Promise<DoctorReport> {
    const { flags } = await this.parseVault(Doctor);
    const env = { ...this.env() };
    for (const [flag, variable] of Object.entries(BACKEND_FLAG_ENV)) {
      const value = flags[flag as keyof typeof BACKEND_FLAG_ENV];
      if (value) env[variable] = value;
    }
    const timeoutMs = parseGoDuration(flags.timeout);
    if (timeoutMs === undefined || timeoutMs <= 0) throw new VaultError('FLAG_INVALID', `--timeout ${flags.timeout} is not a duration`, { hint: 'use a unit, such as 5s' });

    const checks: Check[] = [];
    const add = (check: Check) => {
      checks.push(check);
      if (!this.jsonEnabled()) this.log(formatCheck(check, outputStyle(env, process.stdout.isTTY === true)));
    };

    const config = this.checkConfig(env, add);
    const unresolvedSources = config ? this.checkProfiles(config, env, add) : new Map<string, string[]>();

    let registry: Registry | undefined;
    try {
      registry = await this.registry();
    } catch (error) {
      add({ id: 'plugins', status: 'fail', title: 'plugins', message: messageOf(error) });
    }
    if (registry) {
      const keys = await this.checkBackends(registry, flags.backend, env, add);
      this.checkSources(unresolvedSources, keys, add);
      await this.checkPrompts(registry, flags.prompt, env, add);
    }

    const answer = await this.checkEndpoint(config, flags.profile ?? (env['AWS_PROFILE'] || 'default'), env, timeoutMs, add);
    add(clockCheck(answer));
    add(this.fastPathCheck());

    const report = { ok: checks.every((check) => check.status !== 'fail'), checks };
    if (!report.ok) process.exitCode = 1;
    return report;
  }

  private checkConfig(env: Record<string, string | undefined>, add: (check: Check) => void): AwsConfig | undefined {
    const paths = configFilePaths(env, homeDirectory(env));
    try {
      const config = loadAwsConfig(paths);
      const files = [paths.configFile, paths.credentialsFile].map((path) => (existsSync(path) ? path : `${path} (none)`));
      add({ id: 'config', status: 'ok', title: 'config', message: `${files.join(' and ')} parse; ${config.profileNames.length} profiles` });
      return config;
    } catch (error) {
      add({ id: 'config', status: 'fail', title: 'config', message: messageOf(error) });
      return undefined;
    }
  }

  /** Resolves every profile; resolves the profiles whose source_profile has no section, to check once keys are known. */
  private checkProfiles(config: AwsConfig, env: Record<string, string | undefined>, add: (check: Check) => void): Map<string, string[]> {
    const missingSources = new Map<string, string[]>();
    let failed = 0;
    for (const name of config.profileNames) {
      try {
        const profile = resolveProfile(config, name, { env });
        for (const member of profilesInChain(profile).slice(1)) {
          if (!member.hasSection) missingSources.set(member.name, [...(missingSources.get(member.name) ?? []), name]);
        }
      } catch (error) {
        failed++;
        add({ id: `profile:${name}`, status: 'fail', title: `profile ${name}`, message: messageOf(error) });
      }
    }
    if (failed === 0) add({ id: 'profiles', status: 'ok', title: 'profiles', message: config.profileNames.length === 0 ? 'none configured' : `all ${config.profileNames.length} resolve` });
    return missingSources;
  }

  /** A source_profile with no section works only when its keys are stored. */
  private checkSources(missing: Map<string, string[]>, keys: string[] | undefined, add: (check: Check) => void): void {
    for (const [source, users] of missing) {
      if (keys?.includes(source)) continue;
      add({
        id: `source:${source}`,
        status: keys === undefined ? 'warn' : 'fail',
        title: `profile ${users.join(', ')}`,
        message: `source_profile ${source} is not in the AWS config${keys === undefined ? '' : ' and has no stored credentials'}`,
      });
    }
  }

  /** Every installed backend's availability, then the selected one opened and listed. Resolves its keys when it lists them. */
  private async checkBackends(registry: Registry, requested: string | undefined, env: Record<string, string | undefined>, add: (check: Check) => void): Promise<string[] | undefined> {
    for (const definition of [...registry.backends.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      add(await backendAvailability(definition, this.backendContext(env, () => undefined)));
    }
    let asked: string | undefined;
    const ctx = this.backendContext(env, (message) => {
      asked = message;
    });
    const debugLines: string[] = [];
    let backend: Backend;
    try {
      backend = await selectBackend(registry, requested, ctx, (line) => {
        debugLines.push(line);
        this.debugLog(line);
      });
    } catch (error) {
      add({ id: 'backend', status: asked ? 'warn' : 'fail', title: 'selected backend', message: asked ? lockedMessage(requested ?? 'the backend', asked) : messageOf(error) });
      return undefined;
    }
    const how = requested ? 'requested' : 'first available';
    let keys: string[];
    try {
      keys = await backend.keys();
    } catch (error) {
      add({ id: 'backend', status: asked ? 'warn' : 'fail', title: 'selected backend', message: asked ? lockedMessage(backend.name, asked) : `${backend.name} (${how}) opens but cannot list its items: ${messageOf(error)}` });
      return undefined;
    }
    const credentials = keys.filter(isCredentialsKey).length;
    const sessions = keys.filter((key) => isSessionKey(key)).length;
    const tokens = keys.filter(isOidcTokenKey).length;
    let message = `${backend.name} (${how}) opens; ${keys.length} items: ${credentials} credentials, ${sessions} sessions, ${tokens} SSO tokens`;
    let status: CheckStatus = 'ok';
    const probe = keys[0];
    if (READ_PROBE_BACKENDS.has(backend.name) && probe !== undefined) {
      try {
        await backend.get(probe);
        message += '; unlocks';
      } catch (error) {
        if (asked) {
          status = 'warn';
          message += `; ${lockedMessage(backend.name, asked)}`;
        } else {
          status = 'fail';
          message += `; cannot read ${JSON.stringify(probe)}: ${messageOf(error)}`;
        }
      }
    }
    add({ id: 'backend', status, title: 'selected backend', message });
    return keys;
  }

  /** A context that never prompts: a passphrase request is recorded and refused. */
  private backendContext(env: Record<string, string | undefined>, onPassphrase: (message: string) => void): BackendContext {
    return {
      env,
      homeDir: homeDirectory(env),
      askPassphrase: async (message) => {
        onPassphrase(message);
        throw new VaultError('DOCTOR_LOCKED', 'doctor does not ask for passphrases');
      },
      debug: this.debugLog,
    };
  }

  private async checkPrompts(registry: Registry, requested: string | undefined, env: Record<string, string | undefined>, add: (check: Check) => void): Promise<void> {
    const available = new Map<string, boolean>();
    for (const definition of [...registry.prompts.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const check = await promptAvailability(definition, env, this.debugLog);
      available.set(definition.name, check.status === 'ok');
      add(check);
    }
    add(promptChoice(registry.prompts, available, requested));
  }

  /** The profile's STS endpoint and region, and whether it answers an unsigned GET. */
  private async checkEndpoint(
    config: AwsConfig | undefined,
    profileName: string,
    env: Record<string, string | undefined>,
    timeoutMs: number,
    add: (check: Check) => void,
  ): Promise<EndpointAnswer | undefined> {
    if (!config) {
      add({ id: 'endpoint', status: 'warn', title: 'sts endpoint', message: 'not checked: the config does not parse' });
      return undefined;
    }
    let url: string;
    let region: string;
    let known: boolean;
    try {
      const profile = resolveProfile(config, profileName, { env });
      const client = clientConfigFor('sts', profile, env);
      region = client.region;
      url = client.endpoint ?? defaultStsEndpoint(region);
      known = profile.hasSection;
    } catch (error) {
      add({ id: 'endpoint', status: 'fail', title: 'sts endpoint', message: `profile ${profileName}: ${messageOf(error)}` });
      return undefined;
    }
    const where = `${url} (region ${region}, profile ${profileName}${known ? '' : ', not in the config'})`;
    this.debugLog(`doctor: GET ${url}`);
    const answer = await probeEndpoint(url, timeoutMs);
    if ('error' in answer) {
      add({ id: 'endpoint', status: 'fail', title: 'sts endpoint', message: `${where}: no answer: ${answer.error}` });
      return undefined;
    }
    add({ id: 'endpoint', status: 'ok', title: 'sts endpoint', message: `${where} answered HTTP ${answer.status} in ${answer.elapsedMs} ms` });
    return answer;
  }

  private fastPathCheck(): Check {
    const path = join(this.config.root, 'dist', 'fastBundle', 'runFastPath.js');
    return existsSync(path)
      ? { id: 'fast-path', status: 'ok', title: 'fast path', message: `${path} is installed` }
      : { id: 'fast-path', status: 'fail', title: 'fast path', message: `${path} is missing: cached export and exec start oclif and run slower (rebuild or reinstall vault)` };
  }
}

/** The regional STS endpoint the SDK would use with no endpoint configured. */
export function defaultStsEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

export interface EndpointAnswer {
  url: string;
  status: number;
  elapsedMs: number;
  /** The server's `Date` header, if any. */
  date: string | undefined;
  /** Local time halfway through the request, to compare with `date`. */
  localMs: number;
}

/** An unsigned GET: any HTTP answer means the endpoint is reachable. */
export async function probeEndpoint(url: string, timeoutMs: number): Promise<EndpointAnswer | { error: string }> {
  const started = Date.now();
  try {
    const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const ended = Date.now();
    await response.body?.cancel().catch(() => undefined);
    return { url, status: response.status, elapsedMs: ended - started, date: response.headers.get('date') ?? undefined, localMs: Math.round((started + ended) / 2) };
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { error: `timed out after ${timeoutMs % 1000 === 0 ? formatGoDuration(timeoutMs) : `${timeoutMs}ms`}` };
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (typeof cause?.message === 'string' && cause.message !== '') return { error: cause.message };
    if (typeof cause?.code === 'string') return { error: cause.code };
    return { error: messageOf(error) };
  }
}

/** Compares the endpoint's Date header with the local clock at the time of the request. */
export function clockCheck(answer: EndpointAnswer | undefined): Check {
  const title = 'clock';
  if (!answer) return { id: 'clock', status: 'warn', title, message: 'not checked: no answer from the STS endpoint to compare with' };
  const server = answer.date === undefined ? NaN : Date.parse(answer.date);
  if (Number.isNaN(server)) return { id: 'clock', status: 'warn', title, message: `not checked: ${answer.url} sent no Date header` };
  const skew = server - answer.localMs;
  const host = new URL(answer.url).host;
  // The header has whole seconds; anything within two seconds is as good as in sync.
  if (Math.abs(skew) < 2000) return { id: 'clock', status: 'ok', title, message: `in sync with ${host}` };
  const off = `${formatGoDuration(Math.round(Math.abs(skew) / 1000) * 1000)} ${skew > 0 ? 'behind' : 'ahead of'} ${host}`;
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
    return { id: 'clock', status: 'fail', title, message: `${off}: AWS refuses signatures more than 5m0s off (fix the system clock, e.g. enable NTP)` };
  }
  return { id: 'clock', status: 'ok', title, message: off };
}

async function backendAvailability(definition: BackendDefinition, ctx: BackendContext): Promise<Check> {
  const title = `backend ${definition.name}`;
  if (!definition.isAvailable) return { id: `backend:${definition.name}`, status: 'ok', title, message: 'installed (no availability check)' };
  const reasons: string[] = [];
  try {
    const available = await definition.isAvailable({ ...ctx, debug: (line) => (reasons.push(line), ctx.debug(line)) });
    if (available) return { id: `backend:${definition.name}`, status: 'ok', title, message: 'available' };
    return { id: `backend:${definition.name}`, status: 'warn', title, message: `not available here${reasonOf(reasons, definition.name)}` };
  } catch (error) {
    return { id: `backend:${definition.name}`, status: 'warn', title, message: `not available here: ${messageOf(error)}` };
  }
}

async function promptAvailability(definition: PromptDefinition, env: Record<string, string | undefined>, debug: DebugLogger): Promise<Check> {
  const title = `prompt ${definition.name}`;
  const kind = definition.interactive ? 'needs a terminal' : 'works without a terminal';
  if (!definition.isAvailable) return { id: `prompt:${definition.name}`, status: 'ok', title, message: `installed, ${kind}` };
  const reasons: string[] = [];
  try {
    const available = await definition.isAvailable({ env, debug: (line) => (reasons.push(line), debug(line)) });
    if (available) return { id: `prompt:${definition.name}`, status: 'ok', title, message: `available, ${kind}` };
    const why = reasonOf(reasons, definition.name) || (definition.interactive ? ': no terminal' : '');
    return { id: `prompt:${definition.name}`, status: 'warn', title, message: `not available here${why}` };
  } catch (error) {
    return { id: `prompt:${definition.name}`, status: 'warn', title, message: `not available here: ${messageOf(error)}` };
  }
}

/**
 * Which prompt an MFA code would be asked with, by selectPrompt's rule: --prompt / AWS_VAULT_PROMPT,
 * else the terminal when output is a terminal, else the first available non-interactive prompt in
 * alphabetical order, else the terminal.
 */
export function promptChoice(prompts: ReadonlyMap<string, PromptDefinition>, available: ReadonlyMap<string, boolean>, requested: string | undefined): Check {
  const title = 'mfa prompt';
  if (requested) {
    if (requested === 'pass') return { id: 'prompt', status: 'fail', title, message: '--prompt pass is not a prompt (use mfa_process = pass otp <mfa_serial> in the profile)' };
    if (!prompts.has(requested)) return { id: 'prompt', status: 'fail', title, message: `${requested} is requested but not installed (installed: ${[...prompts.keys()].sort().join(', ') || 'none'})` };
    return available.get(requested)
      ? { id: 'prompt', status: 'ok', title, message: `${requested} (requested)` }
      : { id: 'prompt', status: 'warn', title, message: `${requested} (requested) is not available here` };
  }
  const background = [...prompts.keys()].sort().find((name) => !prompts.get(name)?.interactive && available.get(name));
  const terminal = prompts.has('terminal');
  if (!terminal && !background) return { id: 'prompt', status: 'fail', title, message: 'no MFA prompt is installed or available (pass --mfa-token, set mfa_process, or install a prompt plugin)' };
  const atTerminal = terminal ? 'terminal' : (background as string);
  const elsewhere = background ?? 'terminal';
  if (!background) {
    return { id: 'prompt', status: 'ok', title, message: `${atTerminal} (with no terminal, as for credential_process, MFA codes need --mfa-token, mfa_process or a prompt plugin)` };
  }
  return { id: 'prompt', status: 'ok', title, message: `${atTerminal} at a terminal, ${elsewhere} otherwise` };
}

export type OutputStyle = 'color' | 'symbols' | 'plain';

/** Symbols with colour on a terminal; symbols without colour there under NO_COLOR (or TERM=dumb); words otherwise. */
export function outputStyle(env: Readonly<Record<string, string | undefined>>, isTty: boolean): OutputStyle {
  if (!isTty) return 'plain';
  if ((env['NO_COLOR'] ?? '') !== '' || env['TERM'] === 'dumb') return 'symbols';
  return 'color';
}

const MARKS: Record<OutputStyle, Record<CheckStatus, string>> = {
  color: { ok: '\u001b[32m✓\u001b[0m', warn: '\u001b[33m!\u001b[0m', fail: '\u001b[31m✗\u001b[0m' },
  symbols: { ok: '✓', warn: '!', fail: '✗' },
  plain: { ok: 'ok  ', warn: 'warn', fail: 'FAIL' },
};

export function formatCheck(check: Check, style: OutputStyle): string {
  return `${MARKS[style][check.status]} ${check.title}: ${check.message}`;
}

function lockedMessage(backend: string, asked: string): string {
  return `locked: ${backend} would ask for a passphrase ("${asked.trim().replace(/:$/, '')}") and doctor asks for none${backend === 'file' ? ' (set AWS_VAULT_FILE_PASSPHRASE to check it)' : ''}`;
}

/** The last debug line a plugin logged while saying "not available", as the reason. */
function reasonOf(lines: string[], name: string): string {
  const last = lines.at(-1);
  if (!last) return '';
  return `: ${last.replace(new RegExp(`^${name.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}:\\s*`), '').replace(/^not available:\s*/, '')}`;
}

function messageOf(error: unknown): string {
  if (isVaultError(error)) return `${error.message.replace(/\s*\n\s*/g, ' ')}${error.hint ? ` (${error.hint})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
