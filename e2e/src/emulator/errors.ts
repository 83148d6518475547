/**
 * AwsError: an error that the emulator reports to the client in AWS's wire
 * shape. Handlers throw it; the server turns it into an XML (or JSON) error
 * body with the given HTTP status.
 */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** AWS marks client faults "Sender" and service faults "Receiver". */
  readonly type: 'Sender' | 'Receiver';

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'AwsError';
    this.status = status;
    this.code = code;
    this.type = status >= 500 ? 'Receiver' : 'Sender';
  }
}

// The messages below are the ones AWS returns for these conditions.

export const invalidClientTokenId = (): AwsError =>
  new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');

export const expiredToken = (): AwsError =>
  new AwsError(403, 'ExpiredToken', 'The security token included in the request is expired');

export const missingAuthenticationToken = (): AwsError =>
  new AwsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');

export const incompleteSignature = (message: string): AwsError =>
  new AwsError(400, 'IncompleteSignature', message);

export const signatureDoesNotMatch = (message?: string): AwsError =>
  new AwsError(
    403,
    'SignatureDoesNotMatch',
    message ??
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );

export const accessDenied = (message: string): AwsError => new AwsError(403, 'AccessDenied', message);

export const validationError = (message: string): AwsError => new AwsError(400, 'ValidationError', message);

export const noSuchEntity = (message: string): AwsError => new AwsError(404, 'NoSuchEntity', message);

export const invalidAction = (action: string, version: string): AwsError =>
  new AwsError(400, 'InvalidAction', `Could not find operation ${action} for version ${version}`);
