import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileConfig } from '../config/ProfileConfig.js';
import { clientConfigFor, DEFAULT_REGION } from './clientConfigFor.js';

function profile(fields: Partial<ProfileConfig> = {}): ProfileConfig {
  return {
    name: 'p',
    hasSection: true,
    assumeRoleDuration: 3600,
    sessionTokenDuration: 3600,
    chainedSessionTokenDuration: 28_800,
    federationTokenDuration: 3600,
    durationFromFlag: false,
    origins: {},
    ...fields,
  };
}

describe('clientConfigFor: region and endpoint of each AWS client', () => {
  it('uses the profile\'s region', () => {
    assert.deepEqual(clientConfigFor('sts', profile({ region: 'eu-west-1' }), {}), { region: 'eu-west-1' });
  });

  it('falls back to us-east-1 when no region is configured anywhere', () => {
    assert.equal(DEFAULT_REGION, 'us-east-1');
    assert.deepEqual(clientConfigFor('sts', profile(), {}), { region: 'us-east-1' });
    assert.deepEqual(clientConfigFor('iam', profile(), {}), { region: 'us-east-1' });
  });

  it('uses sso_region for the SSO and SSO-OIDC clients only', () => {
    const p = profile({ region: 'eu-west-1', ssoRegion: 'ap-southeast-2' });
    assert.equal(clientConfigFor('sso', p, {}).region, 'ap-southeast-2');
    assert.equal(clientConfigFor('sso-oidc', p, {}).region, 'ap-southeast-2');
    assert.equal(clientConfigFor('sts', p, {}).region, 'eu-west-1');
    assert.equal(clientConfigFor('sso', profile({ region: 'eu-west-1' }), {}).region, 'eu-west-1');
  });

  it('prefers AWS_ENDPOINT_URL_STS over endpoint_url (which already holds AWS_ENDPOINT_URL over the file)', () => {
    const p = profile({ region: 'eu-west-1', endpointUrl: 'http://from-profile:4566' });
    assert.deepEqual(clientConfigFor('sts', p, { AWS_ENDPOINT_URL_STS: 'http://sts-only:4566' }), { region: 'eu-west-1', endpoint: 'http://sts-only:4566' });
    assert.deepEqual(clientConfigFor('sts', p, {}), { region: 'eu-west-1', endpoint: 'http://from-profile:4566' });
    assert.deepEqual(clientConfigFor('iam', p, { AWS_ENDPOINT_URL_STS: 'http://sts-only:4566' }), { region: 'eu-west-1', endpoint: 'http://from-profile:4566' });
  });

  it('names the per-service variable after the service id in upper case with underscores', () => {
    assert.equal(clientConfigFor('sso-oidc', profile(), { AWS_ENDPOINT_URL_SSO_OIDC: 'http://oidc' }).endpoint, 'http://oidc');
    assert.equal(clientConfigFor('sso', profile(), { AWS_ENDPOINT_URL_SSO_OIDC: 'http://oidc' }).endpoint, undefined);
  });

  it('ignores an empty AWS_ENDPOINT_URL_STS', () => {
    assert.equal(clientConfigFor('sts', profile({ endpointUrl: 'http://p' }), { AWS_ENDPOINT_URL_STS: '' }).endpoint, 'http://p');
  });

  it('ignores every configured endpoint when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true (any case)', () => {
    const p = profile({ region: 'eu-west-1', endpointUrl: 'http://from-profile' });
    for (const value of ['true', 'TRUE', 'True']) {
      assert.deepEqual(clientConfigFor('sts', p, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: value, AWS_ENDPOINT_URL_STS: 'http://sts' }), { region: 'eu-west-1' });
    }
    assert.equal(clientConfigFor('sts', p, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }).endpoint, 'http://from-profile');
    assert.equal(clientConfigFor('sts', p, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: '1' }).endpoint, 'http://from-profile');
  });

  it('puts a [services] endpoint between AWS_ENDPOINT_URL and the profile\'s endpoint_url, as the AWS SDKs do', () => {
    const serviceEndpointUrls = { sts: 'http://services-sts', sso_oidc: 'http://services-oidc' };
    const fromFile = profile({ endpointUrl: 'http://profile', serviceEndpointUrls });
    assert.equal(clientConfigFor('sts', fromFile, {}).endpoint, 'http://services-sts');
    assert.equal(clientConfigFor('sso-oidc', fromFile, {}).endpoint, 'http://services-oidc');
    assert.equal(clientConfigFor('iam', fromFile, {}).endpoint, 'http://profile');
    assert.equal(clientConfigFor('sts', fromFile, { AWS_ENDPOINT_URL_STS: 'http://env-sts' }).endpoint, 'http://env-sts');
    const fromEnv = profile({ endpointUrl: 'http://env-all', endpointUrlFromEnvironment: true, serviceEndpointUrls });
    assert.equal(clientConfigFor('sts', fromEnv, {}).endpoint, 'http://env-all');
  });

  it('ignores every configured endpoint when the profile sets ignore_configured_endpoint_urls, unless the variable says false', () => {
    const p = profile({ endpointUrl: 'http://profile', serviceEndpointUrls: { sts: 'http://s' }, ignoreConfiguredEndpointUrls: true });
    assert.equal(clientConfigFor('sts', p, {}).endpoint, undefined);
    assert.equal(clientConfigFor('sts', p, { AWS_ENDPOINT_URL_STS: 'http://env' }).endpoint, undefined);
    assert.equal(clientConfigFor('sts', p, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }).endpoint, 'http://s');
  });

  it('sends STS to the global endpoint with sts_regional_endpoints = legacy in the 16 legacy regions', () => {
    const legacyRegions = ['ap-northeast-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'aws-global', 'ca-central-1', 'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];
    for (const region of legacyRegions) {
      assert.deepEqual(clientConfigFor('sts', profile({ region, stsRegionalEndpoints: 'legacy' }), {}), { region, endpoint: 'https://sts.amazonaws.com' }, region);
    }
    assert.deepEqual(clientConfigFor('sts', profile({ stsRegionalEndpoints: 'legacy' }), {}), { region: 'us-east-1', endpoint: 'https://sts.amazonaws.com' });
  });

  it('keeps the regional endpoint elsewhere: other regions, other services, or regional mode', () => {
    assert.deepEqual(clientConfigFor('sts', profile({ region: 'af-south-1', stsRegionalEndpoints: 'legacy' }), {}), { region: 'af-south-1' });
    assert.deepEqual(clientConfigFor('iam', profile({ region: 'us-east-1', stsRegionalEndpoints: 'legacy' }), {}), { region: 'us-east-1' });
    assert.deepEqual(clientConfigFor('sts', profile({ region: 'us-east-1', stsRegionalEndpoints: 'regional' }), {}), { region: 'us-east-1' });
  });

  it('lets a configured endpoint win over the legacy global endpoint', () => {
    assert.deepEqual(clientConfigFor('sts', profile({ region: 'us-east-1', stsRegionalEndpoints: 'legacy', endpointUrl: 'http://local' }), {}), { region: 'us-east-1', endpoint: 'http://local' });
  });
});
