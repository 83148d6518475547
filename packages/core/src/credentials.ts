/**
 * Credentials in the AWS SDK's identity shape, so SDK code can consume them directly.
 * @public
 */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Anything that can produce credentials on demand; called lazily, so no prompt happens until needed. @public */
export type CredentialProvider = () => Promise<Credentials>;

/** The only way an access key id reaches a log line: sixteen stars and the last four characters. @public */
export function formatKeyForDisplay(accessKeyId: string): string {
  return `****************${accessKeyId.slice(-4)}`;
}
