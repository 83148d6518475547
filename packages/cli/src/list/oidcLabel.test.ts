import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AwsConfig } from '@awsvault/core';
import { oidcLabel } from './oidcLabel.js';

it('names SSO tokens by their sso-session, else by the start URL host', () => {
  const config = {
    ssoSessions: new Map([['corp', { name: 'corp', file: '/c', line: 1, entries: new Map([['sso_start_url', { value: 'https://corp.awsapps.com/start', line: 2 }]]) }]]),
  } as unknown as AwsConfig;
  assert.equal(oidcLabel(config, 'https://corp.awsapps.com/start'), 'oidc:corp');
  assert.equal(oidcLabel(config, 'https://other.awsapps.com/start#/'), 'oidc:other.awsapps.com');
  assert.equal(oidcLabel(config, 'not a url'), 'oidc:not a url');
});
