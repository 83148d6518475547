import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCredentials } from './formatCredentials.js';

const session = { accessKeyId: 'ASIAX', secretAccessKey: "se'c\\ret", sessionToken: 'tok', expiration: new Date('2024-01-01T00:00:00.000Z') };
const longTerm = { accessKeyId: 'ABC', secretAccessKey: 'XYZ' };

describe('formatCredentials', () => {
  it('json is credential_process Version 1, two-space indented, with a trailing newline', () => {
    assert.equal(
      formatCredentials('json', 'p', session, 'us-east-1'),
      `{\n  "Version": 1,\n  "AccessKeyId": "ASIAX",\n  "SecretAccessKey": "se'c\\\\ret",\n  "SessionToken": "tok",\n  "Expiration": "2024-01-01T00:00:00Z"\n}\n`,
    );
    assert.deepEqual(JSON.parse(formatCredentials('json', 'p', longTerm, undefined)), { Version: 1, AccessKeyId: 'ABC', SecretAccessKey: 'XYZ' });
  });

  it('ini matches aws-vault: section named after the profile, key=value, only what is set', () => {
    assert.equal(formatCredentials('ini', 'llamas', longTerm, 'us-east-1'), '[llamas]\naws_access_key_id=ABC\naws_secret_access_key=XYZ\nregion=us-east-1\n');
  });

  it('env and export-env are unquoted lines in aws-vault order', () => {
    const env = formatCredentials('env', 'p', session, 'eu-west-1');
    assert.equal(env, `AWS_ACCESS_KEY_ID=ASIAX\nAWS_SECRET_ACCESS_KEY=se'c\\ret\nAWS_SESSION_TOKEN=tok\nAWS_CREDENTIAL_EXPIRATION=2024-01-01T00:00:00Z\nAWS_REGION=eu-west-1\nAWS_DEFAULT_REGION=eu-west-1\n`);
    assert.equal(formatCredentials('export-env', 'p', longTerm, undefined), 'export AWS_ACCESS_KEY_ID=ABC\nexport AWS_SECRET_ACCESS_KEY=XYZ\n');
  });

  it('fish, powershell and dotenv quote values so odd characters survive', () => {
    assert.match(formatCredentials('fish', 'p', session, undefined), /^set -gx AWS_SECRET_ACCESS_KEY 'se\\'c\\\\ret';$/m);
    assert.match(formatCredentials('powershell', 'p', session, undefined), /^\$env:AWS_SECRET_ACCESS_KEY = 'se''c\\ret'$/m);
    assert.match(formatCredentials('dotenv', 'p', session, undefined), /^AWS_SECRET_ACCESS_KEY="se'c\\\\ret"$/m);
  });
});
