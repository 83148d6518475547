import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { AwsError } from './errors.js';

/**
 * OpenID Connect identity providers as IAM knows them (CreateOpenIDConnectProvider), and the
 * RS256 JSON Web Tokens they issue. A test registers a provider with
 * `state.createOidcProvider({ issuer, audience })` and signs tokens with `provider.sign(claims)`;
 * AssumeRoleWithWebIdentity checks a token's signature against the provider's public key, its
 * `exp`, `aud` and `sub`, as STS does. Keys are made with node:crypto; nothing is fetched.
 */

/** JWT claims; a claim given as `undefined` is left out of the token. */
export type JwtClaims = Record<string, unknown>;

export interface OidcProviderRecord {
  readonly arn: string;
  /** The issuer URL as registered (`iss` of its tokens), e.g. `https://oidc.example.test/id/1`. */
  readonly issuer: string;
  /** Client ids (`aud`) the provider accepts. */
  readonly audiences: readonly string[];
  readonly accountId: string;
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly createDate: number;
}

/** A registered provider, as a test holds it: it can sign tokens. */
export interface CreatedOidcProvider {
  readonly arn: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  /**
   * An RS256 JWT signed with the provider's key. Defaults: `iss` the issuer, `aud` the first
   * audience, `sub` `test-subject`, `iat` now and `exp` an hour later on the emulator's virtual
   * clock. `claims` override them; `undefined` removes one.
   */
  sign(claims?: JwtClaims): string;
}

export interface CreateOidcProviderOptions {
  /** `https://` URL; tokens carry it as `iss`. */
  readonly issuer: string;
  /** The client id(s) tokens must name in `aud`. */
  readonly audience: string | readonly string[];
  readonly accountId?: string;
}

/** IAM keys providers by URL without the scheme and trailing slash. */
export function normalizeIssuer(issuer: string): string {
  return issuer.replace(/^https:\/\//i, '').replace(/\/+$/, '');
}

/** Makes the key pair and record of a new provider, and its signing function. */
export function newOidcProvider(
  accountId: string,
  options: CreateOidcProviderOptions,
  now: () => number,
): { record: OidcProviderRecord; sign: (claims?: JwtClaims) => string } {
  if (!/^https:\/\/[^\s/]+/i.test(options.issuer)) throw new Error(`OIDC issuer must be an https:// URL: ${options.issuer}`);
  const audiences = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  if (audiences.length === 0 || audiences.some((a) => a === '')) throw new Error('an OIDC provider needs at least one non-empty audience');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomBytes(8).toString('hex');
  const record: OidcProviderRecord = {
    arn: `arn:aws:iam::${accountId}:oidc-provider/${normalizeIssuer(options.issuer)}`,
    issuer: options.issuer,
    audiences,
    accountId,
    keyId,
    publicKey,
    createDate: now(),
  };
  const signToken = (claims: JwtClaims = {}): string => {
    const iat = Math.floor(now() / 1000);
    const body: JwtClaims = { iss: options.issuer, aud: audiences[0], sub: 'test-subject', iat, exp: iat + 3600, ...claims };
    return signJwt({ alg: 'RS256', typ: 'JWT', kid: keyId }, body, privateKey);
  };
  return { record, sign: signToken };
}

/** Encodes and signs a JWT with RS256 (RSASSA-PKCS1-v1_5 with SHA-256). */
export function signJwt(header: JwtClaims, claims: JwtClaims, privateKey: KeyObject): string {
  const input = `${encodePart(header)}.${encodePart(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/** A token with `alg: none` and no signature, which STS must refuse. */
export function unsignedJwt(claims: JwtClaims): string {
  return `${encodePart({ alg: 'none', typ: 'JWT' })}.${encodePart(claims)}.`;
}

function encodePart(value: JwtClaims): string {
  const defined = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
  return Buffer.from(JSON.stringify(defined)).toString('base64url');
}

/** A decoded, not yet verified token. */
export interface DecodedJwt {
  readonly header: JwtClaims;
  readonly claims: JwtClaims;
  readonly signingInput: string;
  readonly signature: Buffer;
}

const COULD_NOT_VALIDATE =
  'The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.';

export const invalidIdentityToken = (message = COULD_NOT_VALIDATE): AwsError => new AwsError(400, 'InvalidIdentityToken', message);

/** Splits and parses a compact JWS; InvalidIdentityToken when it is not one. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw invalidIdentityToken();
  const [header, claims] = [parseJsonPart(parts[0] ?? ''), parseJsonPart(parts[1] ?? '')];
  if (!header || !claims) throw invalidIdentityToken();
  return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2] ?? '', 'base64url') };
}

function parseJsonPart(part: string): JwtClaims | undefined {
  if (!/^[\w-]+$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the token carries a valid RS256 signature by this provider's key. */
export function hasValidSignature(jwt: DecodedJwt, provider: OidcProviderRecord): boolean {
  if (jwt.header['alg'] !== 'RS256' || jwt.signature.length === 0) return false;
  if (jwt.header['kid'] !== undefined && jwt.header['kid'] !== provider.keyId) return false;
  return verify('sha256', Buffer.from(jwt.signingInput), provider.publicKey, jwt.signature);
}
