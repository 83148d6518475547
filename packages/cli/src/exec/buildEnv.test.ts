import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEnv, REMOVED_VARIABLES } from './buildEnv.js';

describe('buildEnv: the exec environment contract', () => {
  const parent = Object.fromEntries([...REMOVED_VARIABLES.map((k) => [k, 'old']), ['PATH', '/bin'], ['AWS_CONFIG_FILE', '/c'], ['AWS_SHARED_CREDENTIALS_FILE', '/s']]);

  it('removes inherited credentials and profile selectors, keeps the rest, sets AWS_VAULT and the region pair', () => {
    const env = buildEnv(parent, { profileName: 'dev', region: 'eu-west-1' }, undefined);
    for (const key of REMOVED_VARIABLES) assert.equal(env[key], undefined, key);
    assert.equal(env['PATH'], '/bin');
    assert.equal(env['AWS_CONFIG_FILE'], '/c');
    assert.equal(env['AWS_SHARED_CREDENTIALS_FILE'], '/s');
    assert.equal(env['AWS_VAULT'], 'dev');
    assert.equal(env['AWS_REGION'], 'eu-west-1');
    assert.equal(env['AWS_DEFAULT_REGION'], 'eu-west-1');
    assert.equal(env['AWS_ENDPOINT_URL'], undefined);
  });

  it('sets session credentials with both expiration variables in ISO-8601 UTC', () => {
    const env = buildEnv({}, { profileName: 'dev', endpointUrl: 'http://127.0.0.1:1' }, {
      accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's', sessionToken: 't', expiration: new Date('2030-01-02T03:04:05.678Z'),
    });
    assert.equal(env['AWS_ACCESS_KEY_ID'], 'ASIAEXAMPLE');
    assert.equal(env['AWS_SECRET_ACCESS_KEY'], 's');
    assert.equal(env['AWS_SESSION_TOKEN'], 't');
    assert.equal(env['AWS_CREDENTIAL_EXPIRATION'], '2030-01-02T03:04:05Z');
    assert.equal(env['AWS_SESSION_EXPIRATION'], '2030-01-02T03:04:05Z');
    assert.equal(env['AWS_ENDPOINT_URL'], 'http://127.0.0.1:1');
    assert.equal(env['AWS_REGION'], undefined);
  });

  it('sets no token or expiration for long-term keys', () => {
    const env = buildEnv({ AWS_SESSION_TOKEN: 'stale' }, { profileName: 'dev' }, { accessKeyId: 'AKIA', secretAccessKey: 's' });
    assert.equal(env['AWS_SESSION_TOKEN'], undefined);
    assert.equal(env['AWS_CREDENTIAL_EXPIRATION'], undefined);
  });
});
