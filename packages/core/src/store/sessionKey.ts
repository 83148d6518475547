/** The parts of a cached-session item name. @public */
export interface SessionKey {
  type: string;
  profileName: string;
  /** The MFA serial (STS sessions) or start URL (SSO); empty when none. */
  detail: string;
  /** Expiry, unix seconds. */
  expiry: number;
}

const CURRENT = /^([^,]+),([^,]+),([^,]*),([0-9]+)$/;
const LEGACY = [/^session,[^,]+,[^,]*,[0-9]{2,}$/, /^session:[^ ]+:[^ ]*:[^:]+$/, /^.+ session \([0-9]+\)$/];
/** Unpadded base64url that Go's decoder accepts (aws-vault only counts a name as a session if both fields decode). */
const B64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$/;

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const fromB64url = (text: string) => Buffer.from(text, 'base64url').toString('utf8');

/** `<Type>,<b64url profile>,<b64url detail>,<unix expiry>`: aws-vault's item name, so both tools share sessions. @public */
export function formatSessionKey(key: SessionKey): string {
  return `${sessionKeyPrefix(key.type, key.profileName, key.detail)}${Math.trunc(key.expiry)}`;
}

/** The name up to the expiry: aws-vault looks a session up by this prefix. @public */
export function sessionKeyPrefix(type: string, profileName: string, detail: string): string {
  return `${type},${b64url(profileName)},${b64url(detail)},`;
}

/** Parses a current-format session item name, or undefined. @public */
export function parseSessionKey(name: string): SessionKey | undefined {
  const match = CURRENT.exec(name);
  if (!match) return undefined;
  const [, type = '', profile = '', detail = '', expiry = '0'] = match;
  if (type === 'session' || !B64URL.test(profile) || !B64URL.test(detail)) return undefined;
  return { type, profileName: fromB64url(profile), detail: fromB64url(detail), expiry: Number(expiry) };
}

/** One of the three older aws-vault session name shapes; they are hidden from lists and cleared. @public */
export function isLegacySessionKey(name: string): boolean {
  return LEGACY.some((pattern) => pattern.test(name));
}

/** Any session item name, current or legacy. @public */
export function isSessionKey(name: string): boolean {
  return parseSessionKey(name) !== undefined || isLegacySessionKey(name);
}

/** SSO access tokens live under `oidc:<start url>`. @public */
export function isOidcTokenKey(name: string): boolean {
  return name.startsWith('oidc:');
}

/** Long-term credentials: whatever is neither a session nor an SSO token. @public */
export function isCredentialsKey(name: string): boolean {
  return !isSessionKey(name) && !isOidcTokenKey(name);
}
