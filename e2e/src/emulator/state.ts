import { AwsError, noSuchEntity } from './errors.js';
import {
  newAccessKeyId,
  newBase32Secret,
  newSecretAccessKey,
  newSessionToken,
  newUniqueId,
} from './ids.js';
import {
  newOidcProvider,
  normalizeIssuer,
  type CreatedOidcProvider,
  type CreateOidcProviderOptions,
  type OidcProviderRecord,
} from './oidc.js';
import type { Params } from './query.js';
import { totpCode, totpStep } from './totp.js';

/** IAM allows two access keys (active or inactive) per user. */
export const ACCESS_KEYS_PER_USER = 2;
export const DEFAULT_ACCOUNT_ID = '123456789012';

export interface UserRecord {
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly path: string;
  readonly createDate: number;
}

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly userName: string;
  readonly accountId: string;
  readonly createDate: number;
  deletedAt?: number;
}

export interface MfaDeviceRecord {
  readonly serialNumber: string;
  readonly userName: string;
  readonly accountId: string;
  readonly secret: string;
  readonly enableDate: number;
  /** Highest TOTP step accepted so far; older or equal steps are replays. */
  lastUsedStep: number;
}

export interface RoleRecord {
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly trustedPrincipals: readonly string[];
  readonly requireMfa: boolean;
  readonly externalId: string | undefined;
  /** StringLike pattern (`*`, `?`) the `sub` of a web identity token must match; undefined: any. */
  readonly webIdentitySubject: string | undefined;
  readonly maxSessionDuration: number;
  readonly createDate: number;
}

export interface SessionTag {
  readonly key: string;
  readonly value: string;
}

/** How a set of temporary credentials was obtained. */
export type SessionKind = 'session-token' | 'assumed-role' | 'federated-user';

export interface SessionRecord {
  readonly kind: SessionKind;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly accountId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Whether MFA was presented when this session (or one it was chained from) was made. */
  readonly mfaAuthenticated: boolean;
  /** The access key that signed the call that issued this session (AssumeRoleWithWebIdentity: the OIDC provider's ARN). */
  readonly issuedBy: string;
  /** For AssumeRoleWithWebIdentity sessions: the provider and the token's subject and audience. */
  readonly webIdentity?: { readonly providerArn: string; readonly subject: string; readonly audience: string };
  /** The IAM user behind a GetSessionToken or GetFederationToken session. */
  readonly userName?: string;
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly federatedName?: string;
  readonly tags: readonly SessionTag[];
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity?: string;
  readonly policy?: string;
}

/** The authenticated identity behind a request's access key. */
export type Caller =
  | { readonly kind: 'user'; readonly accessKeyId: string; readonly user: UserRecord }
  | { readonly kind: 'session'; readonly accessKeyId: string; readonly session: SessionRecord; readonly user?: UserRecord };

/** What SigV4 verification needs to know about an access key. */
export interface SigningCredential {
  readonly secretAccessKey: string;
  /** Present for session (ASIA…) keys: the token the request must carry. */
  readonly sessionToken?: string;
  readonly expired: boolean;
}

export interface RequestLogEntry {
  /** Virtual-clock time the request was handled (ms since the epoch). */
  readonly at: number;
  readonly requestId: string;
  readonly service: string;
  readonly action: string;
  /** The access key the request claimed, verified or not. */
  readonly accessKeyId?: string;
  /** ARN of the authenticated caller, when authentication succeeded. */
  readonly callerArn?: string;
  /**
   * Request parameters (query-flattened, e.g. `Tags.member.1.Key`). Values of
   * secret-bearing parameters such as TokenCode are replaced by `<redacted>`;
   * Action, Version and X-Amz-* signing parameters are left out.
   */
  readonly params: Params;
  readonly status: number;
  readonly errorCode?: string;
}

export interface Fault {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** How many matching calls fail; default 1. */
  readonly times?: number;
  /** Answer with this raw body (and `status`) instead of an AWS error: a malformed response. */
  readonly rawBody?: string;
  /** Wait this long before answering: a slow or hanging endpoint. */
  readonly delayMs?: number;
}

export interface EmulatorStateOptions {
  /** Account used when a test does not name one. Default {@link DEFAULT_ACCOUNT_ID}. */
  readonly defaultAccountId?: string;
  /** Base of the virtual clock; default `Date.now`. {@link EmulatorState.advanceClock} adds to it. */
  readonly clock?: () => number;
  /** Clock that request signatures are checked against; default `Date.now`. */
  readonly signingClock?: () => number;
}

export interface CreatedUser {
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface CreatedAccessKey {
  readonly userName: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface CreatedMfaDevice {
  readonly serialNumber: string;
  /** Base32 TOTP seed, as shown when enrolling a virtual MFA device. */
  readonly secret: string;
  /** The 6-digit code at `atMs` (default: the emulator's virtual clock, {@link EmulatorState.now}). */
  code(atMs?: number): string;
}

export interface CreateRoleOptions {
  readonly name: string;
  readonly accountId?: string;
  /**
   * User, role or account-root ARNs (`arn:aws:iam::<acct>:root`, or a bare account id) that may assume the role;
   * for AssumeRoleWithWebIdentity, `oidc:<issuer>` or the OIDC provider's ARN.
   */
  readonly trustedPrincipals: readonly string[];
  /** Require MFA (an MFA'd session, or SerialNumber/TokenCode in the AssumeRole call). */
  readonly requireMfa?: boolean;
  /** When set, AssumeRole must pass this ExternalId. */
  readonly externalId?: string;
  /** When set, a web identity token's `sub` must match this StringLike pattern (`*` and `?` wildcards). */
  readonly webIdentitySubject?: string;
  /** Seconds, 3600–43200; default 3600. */
  readonly maxSessionDuration?: number;
}

export type AccessKeyState = 'active' | 'deleted' | 'expired' | 'unknown';

/**
 * Everything the emulator knows: accounts, IAM users and their keys, MFA
 * devices, roles, issued sessions, call counters, the request log and
 * injected faults. Tests drive it directly to seed identities and to assert
 * on what clients did.
 *
 * Time: credential lifetimes and MFA codes follow a virtual clock
 * ({@link now}) that tests can move forward with {@link advanceClock}.
 * Signature freshness (the 5-minute skew window) is checked against the
 * signing clock, real time by default, because clients sign with real time.
 */
export class EmulatorState {
  readonly defaultAccountId: string;
  private readonly baseClock: () => number;
  private readonly signingClock: () => number;
  private clockOffsetMs = 0;

  private readonly users = new Map<string, UserRecord>();
  private readonly accessKeys = new Map<string, AccessKeyRecord>();
  private readonly mfaDevices = new Map<string, MfaDeviceRecord>();
  private readonly roles = new Map<string, RoleRecord>();
  private readonly sessionsByKey = new Map<string, SessionRecord>();
  private readonly oidcProviders = new Map<string, OidcProviderRecord>();
  private readonly counters = new Map<string, number>();
  private readonly faults: { action: string; fault: Fault; remaining: number }[] = [];
  private log: RequestLogEntry[] = [];

  constructor(options: EmulatorStateOptions = {}) {
    this.defaultAccountId = options.defaultAccountId ?? DEFAULT_ACCOUNT_ID;
    if (!/^\d{12}$/.test(this.defaultAccountId)) throw new Error('defaultAccountId must be 12 digits');
    this.baseClock = options.clock ?? Date.now;
    this.signingClock = options.signingClock ?? Date.now;
  }

  // ---- clock ----------------------------------------------------------

  /** Virtual time in ms since the epoch: governs expirations and MFA codes. */
  now(): number {
    return this.baseClock() + this.clockOffsetMs;
  }

  /** Moves the virtual clock forward (or back, with a negative value). */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** Time that request signatures (x-amz-date) are compared with. */
  signingNow(): number {
    return this.signingClock();
  }

  // ---- test-facing identity setup ---------------------------------------

  /**
   * Creates an IAM user with one active long-term access key.
   * @param name IAM user name, unique within its account.
   * @param opts.accountId 12-digit account; default {@link defaultAccountId}.
   * @param opts.accessKeyId / opts.secretAccessKey use these exact keys instead of random ones
   *   (AKIA + 16 upper-case base32 characters, and 40 characters).
   */
  createUser(
    name: string,
    opts: { accountId?: string; accessKeyId?: string; secretAccessKey?: string } = {},
  ): CreatedUser {
    const accountId = opts.accountId ?? this.defaultAccountId;
    if (!/^\d{12}$/.test(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
    if (!/^[\w+=,.@-]{1,64}$/.test(name)) throw new Error(`invalid IAM user name: ${name}`);
    const key = userKey(accountId, name);
    if (this.users.has(key)) throw new Error(`user ${name} already exists in account ${accountId}`);
    const user: UserRecord = {
      userName: name,
      userId: newUniqueId('AIDA'),
      arn: `arn:aws:iam::${accountId}:user/${name}`,
      accountId,
      path: '/',
      createDate: this.now(),
    };
    this.users.set(key, user);
    const created = this.addAccessKey(user, opts.accessKeyId, opts.secretAccessKey);
    return { userName: name, userId: user.userId, arn: user.arn, accountId, ...pickKey(created) };
  }

  /**
   * Adds a long-term access key to a user. Throws LimitExceeded past two keys, like IAM.
   * @param accountId needed only when the same user name exists in several accounts.
   */
  createAccessKey(userName: string, accountId?: string): CreatedAccessKey {
    const record = this.addAccessKey(this.requireUser(userName, accountId));
    return { userName, ...pickKey(record) };
  }

  /** 'active' for a usable key; 'deleted' after DeleteAccessKey; 'expired' for a session key past expiry. */
  accessKeyState(accessKeyId: string): AccessKeyState {
    const key = this.accessKeys.get(accessKeyId);
    if (key) return key.deletedAt === undefined ? 'active' : 'deleted';
    const session = this.sessionsByKey.get(accessKeyId);
    if (session) return session.expiresAt <= this.now() ? 'expired' : 'active';
    return 'unknown';
  }

  /**
   * Enrolls a virtual MFA device for a user. Its serial number is the ARN
   * `arn:aws:iam::<acct>:mfa/<userName>` (with a numeric suffix for further devices).
   * Codes are checked as AWS does: the current or previous 30-second code, each
   * step at most once per device (so two MFA calls within one step need
   * `advanceClock(30_000)` between them).
   * @param opts.secret base32 seed to use instead of a random one.
   */
  createMfaDevice(userName: string, opts: { accountId?: string; secret?: string } = {}): CreatedMfaDevice {
    const user = this.requireUser(userName, opts.accountId);
    let serialNumber = `arn:aws:iam::${user.accountId}:mfa/${user.userName}`;
    for (let n = 2; this.mfaDevices.has(serialNumber); n++) {
      serialNumber = `arn:aws:iam::${user.accountId}:mfa/${user.userName}-${n}`;
    }
    const secret = opts.secret ?? newBase32Secret();
    if (!/^[A-Z2-7]+=*$/.test(secret)) throw new Error('MFA secret must be base32');
    this.mfaDevices.set(serialNumber, {
      serialNumber,
      userName: user.userName,
      accountId: user.accountId,
      secret,
      enableDate: this.now(),
      lastUsedStep: -1,
    });
    return { serialNumber, secret, code: (atMs?: number) => totpCode(secret, atMs ?? this.now()) };
  }

  /** Creates a role with a trust rule; returns its ARN `arn:aws:iam::<acct>:role/<name>`. */
  createRole(options: CreateRoleOptions): { arn: string; roleName: string; roleId: string; accountId: string } {
    const accountId = options.accountId ?? this.defaultAccountId;
    if (!/^\d{12}$/.test(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
    if (!/^[\w+=,.@-]{1,64}$/.test(options.name)) throw new Error(`invalid role name: ${options.name}`);
    const maxSessionDuration = options.maxSessionDuration ?? 3600;
    if (!Number.isInteger(maxSessionDuration) || maxSessionDuration < 3600 || maxSessionDuration > 43200) {
      throw new Error('maxSessionDuration must be 3600..43200 seconds');
    }
    const arn = `arn:aws:iam::${accountId}:role/${options.name}`;
    if (this.roles.has(arn)) throw new Error(`role ${options.name} already exists in account ${accountId}`);
    const role: RoleRecord = {
      roleName: options.name,
      roleId: newUniqueId('AROA'),
      arn,
      accountId,
      trustedPrincipals: [...options.trustedPrincipals],
      requireMfa: options.requireMfa ?? false,
      externalId: options.externalId,
      webIdentitySubject: options.webIdentitySubject,
      maxSessionDuration,
      createDate: this.now(),
    };
    this.roles.set(arn, role);
    return { arn, roleName: role.roleName, roleId: role.roleId, accountId };
  }

  /**
   * Registers an OpenID Connect identity provider (IAM CreateOpenIDConnectProvider) with an RS256
   * key pair made here; `sign(claims)` issues tokens for AssumeRoleWithWebIdentity. A role admits
   * its tokens when its `trustedPrincipals` names `oidc:<issuer>` or the returned ARN.
   */
  createOidcProvider(options: CreateOidcProviderOptions): CreatedOidcProvider {
    const accountId = options.accountId ?? this.defaultAccountId;
    if (!/^\d{12}$/.test(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
    const key = oidcKey(accountId, options.issuer);
    if (this.oidcProviders.has(key)) throw new Error(`OIDC provider ${options.issuer} already exists in account ${accountId}`);
    const { record, sign } = newOidcProvider(accountId, options, () => this.now());
    this.oidcProviders.set(key, record);
    return { arn: record.arn, issuer: record.issuer, audiences: record.audiences, sign };
  }

  // ---- test-facing observation -------------------------------------------

  /**
   * Call counts keyed `service:Action` (e.g. `sts:GetSessionToken`), counting
   * every request that named the action, including failed ones. With an
   * argument: the count for `service:Action`, or for a bare `Action` summed
   * over services.
   */
  calls(): Record<string, number>;
  calls(action: string): number;
  calls(action?: string): Record<string, number> | number {
    if (action === undefined) return Object.fromEntries(this.counters);
    if (action.includes(':')) return this.counters.get(action) ?? 0;
    let total = 0;
    for (const [key, count] of this.counters) if (key.endsWith(`:${action}`)) total += count;
    return total;
  }

  /** Every request handled since the last {@link reset}, oldest first. Secrets are never recorded. */
  get requests(): readonly RequestLogEntry[] {
    return this.log;
  }

  /** Temporary credentials issued so far (all kinds), oldest first. */
  get sessions(): readonly SessionRecord[] {
    return [...this.sessionsByKey.values()];
  }

  /** The session behind a temporary access key id, if any. */
  session(accessKeyId: string): SessionRecord | undefined {
    return this.sessionsByKey.get(accessKeyId);
  }

  /**
   * Makes the next `times` (default 1) authenticated calls of `action`
   * (`sts:AssumeRole` or bare `AssumeRole`) fail with this error instead of
   * running. Requests that fail authentication do not use up a fault.
   */
  failNext(action: string, fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
    this.faults.push({ action, fault, remaining: times });
  }

  /** Clears call counters and the request log. Identities, sessions and pending faults stay. */
  reset(): void {
    this.counters.clear();
    this.log = [];
  }

  /** Drops faults queued with {@link failNext} that have not fired. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  // ---- used by the server and handlers ------------------------------------

  countCall(service: string, action: string): void {
    const key = `${service}:${action}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
  }

  /** Takes one pending fault for this call, if any. */
  takeFault(service: string, action: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.action === action || f.action === `${service}:${action}`);
    const pending = this.faults[index];
    if (!pending) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.faults.splice(index, 1);
    return pending.fault;
  }

  /** Secret (and, for session keys, token and expiry) for SigV4 checks; undefined if unknown or deleted. */
  signingCredential(accessKeyId: string): SigningCredential | undefined {
    const key = this.accessKeys.get(accessKeyId);
    if (key) return key.deletedAt === undefined ? { secretAccessKey: key.secretAccessKey, expired: false } : undefined;
    const session = this.sessionsByKey.get(accessKeyId);
    if (!session) return undefined;
    return {
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expired: session.expiresAt <= this.now(),
    };
  }

  /** The identity behind a verified access key. */
  caller(accessKeyId: string): Caller | undefined {
    const key = this.accessKeys.get(accessKeyId);
    if (key && key.deletedAt === undefined) {
      const user = this.users.get(userKey(key.accountId, key.userName));
      return user ? { kind: 'user', accessKeyId, user } : undefined;
    }
    const session = this.sessionsByKey.get(accessKeyId);
    if (!session) return undefined;
    const user = session.userName === undefined ? undefined : this.users.get(userKey(session.accountId, session.userName));
    return user ? { kind: 'session', accessKeyId, session, user } : { kind: 'session', accessKeyId, session };
  }

  findUser(accountId: string, userName: string): UserRecord | undefined {
    return this.users.get(userKey(accountId, userName));
  }

  findRole(arn: string): RoleRecord | undefined {
    return this.roles.get(arn);
  }

  /** The account's OIDC provider for a token issuer (`https://` and a trailing `/` do not matter). */
  findOidcProvider(accountId: string, issuer: string): OidcProviderRecord | undefined {
    return this.oidcProviders.get(oidcKey(accountId, issuer));
  }

  findMfaDevice(serialNumber: string): MfaDeviceRecord | undefined {
    return this.mfaDevices.get(serialNumber);
  }

  mfaDevicesOf(user: UserRecord): MfaDeviceRecord[] {
    return [...this.mfaDevices.values()].filter((d) => d.accountId === user.accountId && d.userName === user.userName);
  }

  /** Live (not deleted) long-term keys of a user, oldest first. */
  accessKeysOf(user: UserRecord): AccessKeyRecord[] {
    return [...this.accessKeys.values()].filter(
      (k) => k.deletedAt === undefined && k.accountId === user.accountId && k.userName === user.userName,
    );
  }

  /** Adds a key to a user, enforcing IAM's two-key quota (LimitExceeded, 409). */
  addAccessKey(user: UserRecord, accessKeyId?: string, secretAccessKey?: string): AccessKeyRecord {
    if (this.accessKeysOf(user).length >= ACCESS_KEYS_PER_USER) {
      throw new AwsError(409, 'LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
    }
    if (accessKeyId !== undefined && !/^AKIA[A-Z2-7]{16}$/.test(accessKeyId)) {
      throw new Error('accessKeyId must be AKIA followed by 16 characters of A-Z2-7');
    }
    if (secretAccessKey !== undefined && secretAccessKey.length !== 40) {
      throw new Error('secretAccessKey must be 40 characters');
    }
    const id = accessKeyId ?? newAccessKeyId('long-term');
    if (this.accessKeys.has(id)) throw new Error(`access key ${id} already exists`);
    const record: AccessKeyRecord = {
      accessKeyId: id,
      secretAccessKey: secretAccessKey ?? newSecretAccessKey(),
      userName: user.userName,
      accountId: user.accountId,
      createDate: this.now(),
    };
    this.accessKeys.set(id, record);
    return record;
  }

  /** Deletes a user's key; NoSuchEntity (404) if the user has no such live key. */
  deleteAccessKey(user: UserRecord, accessKeyId: string): void {
    const key = this.accessKeys.get(accessKeyId);
    if (!key || key.deletedAt !== undefined || key.accountId !== user.accountId || key.userName !== user.userName) {
      throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    }
    key.deletedAt = this.now();
  }

  /**
   * Accepts `code` for the device if it is the current or previous TOTP code
   * and that step has not been used yet; marks the step used.
   */
  consumeMfaCode(device: MfaDeviceRecord, code: string): boolean {
    const step = totpStep(device.secret, code, this.now());
    if (step === null || step <= device.lastUsedStep) return false;
    device.lastUsedStep = step;
    return true;
  }

  /** Issues temporary credentials valid for `durationSeconds` from now (whole seconds, as AWS reports them). */
  issueSession(
    fields: Omit<SessionRecord, 'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'issuedAt' | 'expiresAt'>,
    durationSeconds: number,
  ): SessionRecord {
    const issuedAt = this.now();
    const session: SessionRecord = {
      ...fields,
      accessKeyId: newAccessKeyId('session'),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      issuedAt,
      expiresAt: Math.floor(issuedAt / 1000) * 1000 + durationSeconds * 1000,
    };
    this.sessionsByKey.set(session.accessKeyId, session);
    return session;
  }

  private requireUser(userName: string, accountId?: string): UserRecord {
    if (accountId !== undefined) {
      const user = this.users.get(userKey(accountId, userName));
      if (!user) throw new Error(`no user ${userName} in account ${accountId}`);
      return user;
    }
    const matches = [...this.users.values()].filter((u) => u.userName === userName);
    if (matches.length > 1) throw new Error(`user name ${userName} exists in several accounts; pass accountId`);
    const user = matches[0];
    if (!user) throw new Error(`no user ${userName}`);
    return user;
  }
}

function userKey(accountId: string, userName: string): string {
  return `${accountId}/${userName}`;
}

function oidcKey(accountId: string, issuer: string): string {
  return `${accountId}/${normalizeIssuer(issuer)}`;
}

function pickKey(record: AccessKeyRecord): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey };
}

/** TOTP step length, for tests that need the next code: `state.advanceClock(TOTP_PERIOD_MS)`. */
export { TOTP_PERIOD_MS } from './totp.js';
