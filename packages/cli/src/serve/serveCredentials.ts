import { silentLogger, type CredentialProvider, type Credentials, type DebugLogger, type ProfileConfig } from '@awsvault/core';
import { RefreshingCredentials, refreshTime } from '../server/serverCredentials.js';

/** A profile and two providers of its credentials. */
export interface ProfileProviders {
  profile: ProfileConfig;
  /** For requests: may ask for an MFA code or an SSO login. */
  interactive: CredentialProvider;
  /** For refreshes nobody asked for: fails (in one line) wherever it would have to ask. */
  background: CredentialProvider;
}

/** Resolves a profile and composes its providers; nothing is fetched. */
export type ProvidersFactory = (profileName: string) => Promise<ProfileProviders>;

/** One profile held by the daemon. */
export interface HeldProfile {
  profile: ProfileConfig;
  credentials: RefreshingCredentials;
}

/** Past the refresh time, so the held credentials are due when the timer fires. */
const TIMER_SLACK_MS = 100;
/** setTimeout's ceiling (about 24.8 days); longer delays are re-armed when they fire. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The daemon's credentials, per profile, in memory. The first request for a profile resolves it and
 * fetches (parallel requests share one fetch, so one STS call and at most one prompt). Each fetch
 * arms a timer for the refresh time (`refreshTime`: the window before expiry, never before half the
 * lifetime); when it fires, the credentials are refreshed in the background with the provider that
 * never asks. If that fails (a new MFA code or SSO login is needed, or STS is down), the held
 * credentials stay in service until they expire and the next request refreshes with the interactive
 * provider. A profile that cannot be resolved is not held, so fixing the config needs no restart.
 */
export class ServeCredentials {
  private readonly held = new Map<string, Promise<HeldProfile>>();
  private readonly live = new Map<string, { held: HeldProfile; refreshInBackground: () => Promise<Credentials> }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly debug: DebugLogger;
  private closed = false;

  constructor(private readonly factory: ProvidersFactory, private readonly options: { windowMs: number; debug?: DebugLogger }) {
    this.debug = options.debug ?? silentLogger;
  }

  /** The held profile, resolving it on first use. */
  profile(name: string): Promise<HeldProfile> {
    let entry = this.held.get(name);
    if (!entry) {
      const created = this.create(name);
      this.held.set(name, created);
      created.catch(() => {
        if (this.held.get(name) === created) this.held.delete(name);
      });
      entry = created;
    }
    return entry;
  }

  async get(name: string): Promise<Credentials> {
    return (await this.profile(name)).credentials.get();
  }

  /** Every secret held now, for masking error messages. */
  secrets(): string[] {
    return [...this.live.values()].flatMap((entry) => entry.held.credentials.secrets());
  }

  /** Stops the refresh timers. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async create(name: string): Promise<HeldProfile> {
    const providers = await this.factory(name);
    let background = false;
    // RefreshingCredentials calls the provider synchronously from get(), so the flag set around that call is what it sees.
    const provider: CredentialProvider = async () => {
      const credentials = await (background ? providers.background : providers.interactive)();
      this.schedule(name, credentials);
      return credentials;
    };
    const credentials = new RefreshingCredentials(provider, { label: `profile ${providers.profile.name}`, windowMs: this.options.windowMs, debug: this.debug });
    const held: HeldProfile = { profile: providers.profile, credentials };
    const refreshInBackground = (): Promise<Credentials> => {
      background = true;
      try {
        return credentials.get();
      } finally {
        background = false;
      }
    };
    this.live.set(name, { held, refreshInBackground });
    return held;
  }

  private schedule(name: string, credentials: Credentials): void {
    const previous = this.timers.get(name);
    if (previous) clearTimeout(previous);
    this.timers.delete(name);
    const expiresAt = credentials.expiration?.getTime();
    if (this.closed || expiresAt === undefined) return;
    const now = Date.now();
    const due = refreshTime(now, expiresAt, this.options.windowMs) + TIMER_SLACK_MS;
    const arm = (): void => {
      const timer = setTimeout(() => {
        this.timers.delete(name);
        if (Date.now() < due) return arm();
        this.debug(`profile ${name}: refreshing in the background`);
        // A failure is logged by RefreshingCredentials and leaves the held credentials in service.
        this.live.get(name)?.refreshInBackground().catch(() => undefined);
      }, Math.min(Math.max(due - Date.now(), 0), MAX_TIMER_MS));
      timer.unref();
      this.timers.set(name, timer);
    };
    arm();
  }
}
