import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsCallError, sdkClientOptions } from './loadSts.js';
import { sdkHttpOptions } from './sdkHttpOptions.js';

describe('awsCallError: one line naming the profile, the call and AWS\'s error code', () => {
  it('formats an SDK service error', () => {
    const sdkError = { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', $metadata: { httpStatusCode: 403 } };
    const error = awsCallError('dev', 'sts:GetSessionToken', sdkError);
    assert.equal(error.message, 'profile dev: sts:GetSessionToken failed: InvalidClientTokenId: The security token included in the request is invalid.');
    assert.doesNotMatch(error.message, /\n/);
    assert.equal(error.code, 'AWS_CALL_FAILED');
    assert.equal(error.cause, sdkError);
    assert.match(error.hint ?? '', /vault add/);
  });

  it('prefers the SDK error name over a code property when the error carries $metadata', () => {
    const error = awsCallError('dev', 'sts:AssumeRole', { name: 'AccessDenied', code: 'Ignored', message: 'User is not authorized', $metadata: {} });
    assert.equal(error.message, 'profile dev: sts:AssumeRole failed: AccessDenied: User is not authorized');
  });

  it('keeps only the first line of a multi-line message', () => {
    const error = awsCallError('dev', 'sts:AssumeRole', { name: 'ValidationError', message: 'first line\nsecond line\nthird', $metadata: {} });
    assert.equal(error.message, 'profile dev: sts:AssumeRole failed: ValidationError: first line');
  });

  it('does not repeat a code the message already starts with', () => {
    const error = awsCallError('dev', 'sts:GetSessionToken', { name: 'ExpiredToken', message: 'ExpiredToken: the token expired', $metadata: {} });
    assert.equal(error.message, 'profile dev: sts:GetSessionToken failed: ExpiredToken: the token expired');
    assert.match(error.hint ?? '', /vault clear/);
  });

  it('names a network error by its errno code, with a hint about endpoints', () => {
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    const error = awsCallError('dev', 'sts:GetSessionToken', network);
    assert.equal(error.message, 'profile dev: sts:GetSessionToken failed: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:4566');
    assert.match(error.hint ?? '', /endpoint_url/);
  });

  it('gives no hint for codes it does not know', () => {
    assert.equal(awsCallError('dev', 'sts:AssumeRole', { name: 'Throttling', message: 'Rate exceeded', $metadata: {} }).hint, undefined);
  });

  it('copes with a thrown string', () => {
    assert.equal(awsCallError('dev', 'sts:AssumeRole', 'boom').message, 'profile dev: sts:AssumeRole failed: boom');
  });
});

describe('sdkClientOptions: what every SDK client vault builds is given', () => {
  it('the resolved region and endpoint, the credentials, no endpoint lookup by the SDK, bounded timeouts', () => {
    const options = sdkClientOptions({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' }, { accessKeyId: 'AKIA', secretAccessKey: 'S', sessionToken: 'T' });
    assert.deepEqual(Object.keys(options), ['region', 'endpoint', 'credentials', 'ignoreConfiguredEndpointUrls', 'requestHandler']);
    assert.equal(options.region, 'eu-west-1');
    assert.equal(options.endpoint, 'http://127.0.0.1:4566');
    assert.deepEqual(options.credentials, { accessKeyId: 'AKIA', secretAccessKey: 'S', sessionToken: 'T' });
    assert.equal(options.ignoreConfiguredEndpointUrls, true);
    assert.deepEqual(options.requestHandler, sdkHttpOptions().requestHandler);
  });

  it('leaves out what is not there: the endpoint, an empty session token, and the credentials of an unsigned client', () => {
    assert.deepEqual(sdkClientOptions({ region: 'us-east-1' }, { accessKeyId: 'AKIA', secretAccessKey: 'S' }).credentials, { accessKeyId: 'AKIA', secretAccessKey: 'S' });
    assert.deepEqual(sdkClientOptions({ region: 'us-east-1' }, { accessKeyId: 'AKIA', secretAccessKey: 'S', sessionToken: '' }).credentials, { accessKeyId: 'AKIA', secretAccessKey: 'S' });
    assert.deepEqual(Object.keys(sdkClientOptions({ region: 'us-east-1' })), ['region', 'ignoreConfiguredEndpointUrls', 'requestHandler']);
  });
});
