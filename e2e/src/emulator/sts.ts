import { accessDenied, AwsError, validationError } from './errors.js';
import { callerAccount, callerArn, callerUserId, isTrusted, sessionArn } from './identity.js';
import { decodeJwt, hasValidSignature, invalidIdentityToken, normalizeIssuer } from './oidc.js';
import { memberStructs, memberValues, type Params } from './query.js';
import type { AnonymousCallContext, CallContext, Service } from './service.js';
import type { Caller, EmulatorState, SessionRecord, SessionTag, UserRecord } from './state.js';
import {
  EXTERNAL_ID_PATTERN,
  NAME_PATTERN,
  SERIAL_PATTERN,
  TOKEN_CODE_PATTERN,
  Validator,
} from './validate.js';
import type { ResultObject } from './xml.js';

/**
 * AWS STS (2011-06-15): GetCallerIdentity, GetSessionToken, AssumeRole,
 * GetFederationToken, and the unsigned AssumeRoleWithWebIdentity, with the rules AWS applies to who may call what and
 * for how long. Behaviour and messages follow the STS API reference and the
 * IAM user guide ("Compare AWS STS credentials", "Permissions for
 * GetSessionToken", role chaining), plus error texts AWS is seen returning.
 */

/** Role chaining (temporary credentials calling AssumeRole) is capped at one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

const MFA_INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';
// AWS's text has two spaces after "code.".
const MFA_UNKNOWN_DEVICE =
  'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';

function credentialsOf(session: SessionRecord): ResultObject {
  return {
    AccessKeyId: session.accessKeyId,
    SecretAccessKey: session.secretAccessKey,
    SessionToken: session.sessionToken,
    Expiration: new Date(session.expiresAt),
  };
}

/** The IAM user behind a caller, when there is one (user keys and GetSessionToken sessions). */
function userBehind(caller: Caller): UserRecord | undefined {
  if (caller.kind === 'user') return caller.user;
  return caller.session.kind === 'session-token' ? caller.user : undefined;
}

/**
 * Checks SerialNumber/TokenCode against the caller's MFA device. Returns
 * false when neither was sent; throws AccessDenied when they do not check out.
 * A code is accepted once per device.
 */
function checkMfa(state: EmulatorState, caller: Caller, serial: string | undefined, code: string | undefined): boolean {
  if (serial === undefined && code === undefined) return false;
  const user = userBehind(caller);
  const device = serial === undefined ? undefined : state.findMfaDevice(serial);
  if (!device || !user || device.accountId !== user.accountId || device.userName !== user.userName) {
    throw accessDenied(MFA_UNKNOWN_DEVICE);
  }
  if (code === undefined || !state.consumeMfaCode(device, code)) throw accessDenied(MFA_INVALID_CODE);
  return true;
}

function validateMfaParams(v: Validator, params: Params): void {
  v.length('serialNumber', params.SerialNumber, 9, 256);
  v.pattern('serialNumber', params.SerialNumber, SERIAL_PATTERN.regex, SERIAL_PATTERN.shown);
  v.length('tokenCode', params.TokenCode, 6, 6);
  v.pattern('tokenCode', params.TokenCode, TOKEN_CODE_PATTERN.regex, TOKEN_CODE_PATTERN.shown);
}

/** Reads and validates `Tags.member.N.Key/Value` (at most 50). */
function readTags(v: Validator, params: Params): SessionTag[] {
  const structs = memberStructs(params, 'Tags');
  if (structs.length > 50) v.custom('tags', undefined, 'have length less than or equal to 50');
  const tags = structs.map((tag, index) => {
    const at = `tags.${index + 1}.member`;
    if (v.required(`${at}.key`, tag.Key)) {
      v.length(`${at}.key`, tag.Key, 1, 128);
      v.pattern(`${at}.key`, tag.Key, /[\p{L}\p{Z}\p{N}_.:/=+\-@]+/u, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    }
    if (v.required(`${at}.value`, tag.Value)) v.length(`${at}.value`, tag.Value, 0, 256);
    return { key: tag.Key ?? '', value: tag.Value ?? '' };
  });
  return tags;
}

function checkDuplicateTagKeys(tags: readonly SessionTag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = tag.key.toLowerCase();
    if (seen.has(key)) throw validationError('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key);
  }
}

/** AWS reports the packed size of session policies and tags as a percentage of the allowed maximum. */
function packedPolicySize(policy: string | undefined, tags: readonly SessionTag[]): number | undefined {
  if (policy === undefined && tags.length === 0) return undefined;
  const bytes = (policy?.length ?? 0) + tags.reduce((sum, t) => sum + t.key.length + t.value.length, 0);
  return Math.min(100, Math.max(1, Math.ceil(bytes / 20)));
}

function checkPolicyJson(policy: string | undefined): void {
  if (policy === undefined) return;
  try {
    JSON.parse(policy);
  } catch {
    throw new AwsError(400, 'MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
  }
}

function getCallerIdentity({ state, caller }: CallContext): ResultObject {
  const role = caller.kind === 'session' && caller.session.roleArn ? state.findRole(caller.session.roleArn) : undefined;
  return { Arn: callerArn(caller), UserId: callerUserId(caller, role), Account: callerAccount(caller) };
}

function getSessionToken({ state, caller, params }: CallContext): ResultObject {
  const v = new Validator();
  const duration = v.integer('durationSeconds', params.DurationSeconds, 900, 129600);
  validateMfaParams(v, params);
  v.check();
  // Only an IAM user's long-term keys may call it (no role, session or federated credentials).
  if (caller.kind !== 'user') throw accessDenied('Cannot call GetSessionToken with session credentials');
  const mfa = checkMfa(state, caller, params.SerialNumber, params.TokenCode);
  const session = state.issueSession(
    {
      kind: 'session-token',
      accountId: caller.user.accountId,
      mfaAuthenticated: mfa,
      issuedBy: caller.accessKeyId,
      userName: caller.user.userName,
      tags: [],
      transitiveTagKeys: [],
    },
    duration ?? 43200,
  );
  return { Credentials: credentialsOf(session) };
}

function assumeRole({ state, caller, params }: CallContext): ResultObject {
  const v = new Validator();
  if (v.required('roleArn', params.RoleArn)) v.length('roleArn', params.RoleArn, 20, 2048);
  if (v.required('roleSessionName', params.RoleSessionName)) {
    v.length('roleSessionName', params.RoleSessionName, 2, 64);
    v.pattern('roleSessionName', params.RoleSessionName, NAME_PATTERN.regex, NAME_PATTERN.shown);
  }
  const requested = v.integer('durationSeconds', params.DurationSeconds, 900, 43200);
  v.length('externalId', params.ExternalId, 2, 1224);
  v.pattern('externalId', params.ExternalId, EXTERNAL_ID_PATTERN.regex, EXTERNAL_ID_PATTERN.shown);
  validateMfaParams(v, params);
  v.length('sourceIdentity', params.SourceIdentity, 2, 64);
  v.pattern('sourceIdentity', params.SourceIdentity, NAME_PATTERN.regex, NAME_PATTERN.shown);
  v.length('policy', params.Policy, 1, 2048);
  const tags = readTags(v, params);
  const transitiveTagKeys = memberValues(params, 'TransitiveTagKeys');
  if (transitiveTagKeys.length > 50) v.custom('transitiveTagKeys', undefined, 'have length less than or equal to 50');
  v.check();
  const roleArn = params.RoleArn ?? '';
  const sessionName = params.RoleSessionName ?? '';
  if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(roleArn)) throw validationError('Request ARN is invalid');
  checkPolicyJson(params.Policy);
  checkDuplicateTagKeys(tags);

  const notAuthorized = (): AwsError =>
    accessDenied(`User: ${callerArn(caller)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  // GetFederationToken credentials may call no STS action but GetCallerIdentity.
  if (caller.kind === 'session' && caller.session.kind === 'federated-user') throw notAuthorized();

  // MFA is authentication: a bad code fails before any policy is looked at.
  const mfaInCall = checkMfa(state, caller, params.SerialNumber, params.TokenCode);
  const callerSession = caller.kind === 'session' ? caller.session : undefined;
  const mfa = mfaInCall || (callerSession?.mfaAuthenticated ?? false);

  const role = state.findRole(roleArn);
  if (!role || !isTrusted(role, caller)) throw notAuthorized();
  if (role.externalId !== undefined && params.ExternalId !== role.externalId) throw notAuthorized();
  if (role.requireMfa && !mfa) throw notAuthorized();

  // Any temporary credentials count as role chaining here: AWS applies the
  // one-hour cap to role sessions and to GetSessionToken sessions alike.
  const chained = callerSession !== undefined;
  if (requested !== undefined && chained && requested > ROLE_CHAINING_MAX_SECONDS) {
    throw validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (requested !== undefined && requested > role.maxSessionDuration) {
    throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  // Transitive tags and the source identity carry over through role chaining.
  const inheritedTags = (callerSession?.tags ?? []).filter((t) => callerSession?.transitiveTagKeys.includes(t.key));
  const allTags = [...inheritedTags, ...tags.filter((t) => !inheritedTags.some((i) => i.key.toLowerCase() === t.key.toLowerCase()))];
  const sourceIdentity = callerSession?.sourceIdentity ?? params.SourceIdentity;
  const session = state.issueSession(
    {
      kind: 'assumed-role',
      accountId: role.accountId,
      mfaAuthenticated: mfa,
      issuedBy: caller.accessKeyId,
      roleArn: role.arn,
      roleSessionName: sessionName,
      tags: allTags,
      transitiveTagKeys: [...new Set([...inheritedTags.map((t) => t.key), ...transitiveTagKeys])],
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
      ...(params.Policy === undefined ? {} : { policy: params.Policy }),
    },
    requested ?? 3600,
  );
  return {
    Credentials: credentialsOf(session),
    AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${sessionName}`, Arn: sessionArn(session) },
    PackedPolicySize: packedPolicySize(params.Policy, tags),
    SourceIdentity: sourceIdentity,
  };
}

function getFederationToken({ state, caller, params }: CallContext): ResultObject {
  const v = new Validator();
  if (v.required('name', params.Name)) {
    v.length('name', params.Name, 2, 32);
    v.pattern('name', params.Name, NAME_PATTERN.regex, NAME_PATTERN.shown);
  }
  const duration = v.integer('durationSeconds', params.DurationSeconds, 900, 129600);
  v.length('policy', params.Policy, 1, 2048);
  const tags = readTags(v, params);
  v.check();
  checkPolicyJson(params.Policy);
  checkDuplicateTagKeys(tags);
  if (caller.kind !== 'user') throw accessDenied('Cannot call GetFederationToken with session credentials');
  const name = params.Name ?? '';
  const session = state.issueSession(
    {
      kind: 'federated-user',
      accountId: caller.user.accountId,
      mfaAuthenticated: false,
      issuedBy: caller.accessKeyId,
      userName: caller.user.userName,
      federatedName: name,
      tags,
      transitiveTagKeys: [],
      ...(params.Policy === undefined ? {} : { policy: params.Policy }),
    },
    duration ?? 43200,
  );
  return {
    Credentials: credentialsOf(session),
    FederatedUser: { FederatedUserId: `${session.accountId}:${name}`, Arn: sessionArn(session) },
    PackedPolicySize: packedPolicySize(params.Policy, tags),
  };
}

/** Whether `value` matches an IAM StringLike pattern (`*` any run, `?` one character). */
function stringLike(pattern: string, value: string): boolean {
  const source = [...pattern].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'su').test(value);
}

/**
 * AssumeRoleWithWebIdentity: no signature; the caller proves itself with an OIDC token (an RS256
 * JWT) from a provider registered in the role's account. Checked in STS's order: parameters, the
 * token (issuer known, signature, `exp`, `aud`, `sub`), then the role's trust (the provider, and the
 * role's `sub` pattern if it has one) and its MaxSessionDuration.
 */
function assumeRoleWithWebIdentity({ state, params }: AnonymousCallContext): ResultObject {
  const v = new Validator();
  if (v.required('roleArn', params.RoleArn)) v.length('roleArn', params.RoleArn, 20, 2048);
  if (v.required('roleSessionName', params.RoleSessionName)) {
    v.length('roleSessionName', params.RoleSessionName, 2, 64);
    v.pattern('roleSessionName', params.RoleSessionName, NAME_PATTERN.regex, NAME_PATTERN.shown);
  }
  // The token is a credential: its value is never echoed in a validation message.
  if (v.required('webIdentityToken', params.WebIdentityToken)) {
    const length = params.WebIdentityToken.length;
    if (length < 4) v.custom('webIdentityToken', '<redacted>', 'have length greater than or equal to 4');
    else if (length > 20000) v.custom('webIdentityToken', '<redacted>', 'have length less than or equal to 20000');
  }
  const requested = v.integer('durationSeconds', params.DurationSeconds, 900, 43200);
  v.length('policy', params.Policy, 1, 2048);
  v.check();
  const roleArn = params.RoleArn ?? '';
  const sessionName = params.RoleSessionName ?? '';
  const arnMatch = /^arn:aws[\w-]*:iam::(\d{12}):role\/.+$/.exec(roleArn);
  if (!arnMatch) throw validationError('Request ARN is invalid');
  const accountId = arnMatch[1] as string;
  checkPolicyJson(params.Policy);

  const jwt = decodeJwt(params.WebIdentityToken ?? '');
  const issuer = jwt.claims['iss'];
  if (typeof issuer !== 'string' || issuer === '') throw invalidIdentityToken();
  const provider = state.findOidcProvider(accountId, issuer);
  if (!provider) throw invalidIdentityToken(`No OpenIDConnect provider found in your account for ${issuer}`);
  if (!hasValidSignature(jwt, provider)) throw invalidIdentityToken();
  const nowSeconds = Math.floor(state.now() / 1000);
  const exp = jwt.claims['exp'];
  if (typeof exp !== 'number') throw invalidIdentityToken();
  if (exp <= nowSeconds) {
    throw new AwsError(400, 'ExpiredTokenException', `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${exp}`);
  }
  const nbf = jwt.claims['nbf'];
  if (typeof nbf === 'number' && nbf > nowSeconds) throw invalidIdentityToken('Token is not yet valid');
  const aud = jwt.claims['aud'];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  const audience = audiences.find((a) => provider.audiences.includes(a));
  if (audience === undefined) throw invalidIdentityToken('Incorrect token audience');
  const subject = jwt.claims['sub'];
  if (typeof subject !== 'string' || subject === '') throw new AwsError(403, 'IDPRejectedClaim', 'Token is missing the sub claim.');

  const role = state.findRole(roleArn);
  const trustsProvider = role?.trustedPrincipals.some(
    (p) => p === provider.arn || (p.startsWith('oidc:') && normalizeIssuer(p.slice('oidc:'.length)) === normalizeIssuer(provider.issuer)),
  );
  const subjectAllowed = role?.webIdentitySubject === undefined || stringLike(role.webIdentitySubject, subject);
  if (!role || !trustsProvider || !subjectAllowed || role.requireMfa) throw accessDenied('Not authorized to perform sts:AssumeRoleWithWebIdentity');
  if (requested !== undefined && requested > role.maxSessionDuration) {
    throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  const session = state.issueSession(
    {
      kind: 'assumed-role',
      accountId: role.accountId,
      mfaAuthenticated: false,
      issuedBy: provider.arn,
      roleArn: role.arn,
      roleSessionName: sessionName,
      tags: [],
      transitiveTagKeys: [],
      webIdentity: { providerArn: provider.arn, subject, audience },
      ...(params.Policy === undefined ? {} : { policy: params.Policy }),
    },
    requested ?? 3600,
  );
  return {
    Credentials: credentialsOf(session),
    SubjectFromWebIdentityToken: subject,
    AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${sessionName}`, Arn: sessionArn(session) },
    PackedPolicySize: packedPolicySize(params.Policy, []),
    Provider: issuer,
    Audience: audience,
  };
}

export const sts: Service = {
  spec: {
    name: 'sts',
    version: '2011-06-15',
    xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
    jsonTargetPrefix: 'AWSSecurityTokenServiceV20110615',
  },
  actions: {
    GetCallerIdentity: getCallerIdentity,
    GetSessionToken: getSessionToken,
    AssumeRole: assumeRole,
    GetFederationToken: getFederationToken,
  },
  anonymousActions: {
    AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
  },
};
