import type { ProfileConfig } from '../config/ProfileConfig.js';
import type { ClientConfig } from '../source.js';

type Env = Readonly<Record<string, string | undefined>>;

/** STS's legacy global endpoint serves these regions when `sts_regional_endpoints = legacy`. */
const LEGACY_STS_REGIONS = new Set([
  'ap-northeast-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'aws-global', 'ca-central-1', 'eu-central-1', 'eu-north-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
]);

/** When no region is configured anywhere, STS and IAM calls go to us-east-1 instead of failing (aws-vault #866). */
export const DEFAULT_REGION = 'us-east-1';

/**
 * Region and endpoint for one service, in the AWS SDKs' documented order: `AWS_ENDPOINT_URL_<SERVICE>`,
 * `AWS_ENDPOINT_URL`, the service's `endpoint_url` in the profile's `[services name]` section, then
 * the profile's `endpoint_url`; none of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or
 * `ignore_configured_endpoint_urls` is true. `service` is the SDK's service id in lower case with
 * dashes, e.g. `sts`, `iam`, `sso-oidc`.
 * @public
 */
export function clientConfigFor(service: string, profile: ProfileConfig, env: Env): ClientConfig {
  const region = (service === 'sso' || service === 'sso-oidc' ? profile.ssoRegion : undefined) ?? profile.region ?? DEFAULT_REGION;
  const config: ClientConfig = { region };
  const ignoreVariable = env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];
  const ignore = ignoreVariable ? ignoreVariable.toLowerCase() === 'true' : profile.ignoreConfiguredEndpointUrls === true;
  if (!ignore) {
    const id = service.toLowerCase().replace(/[- ]/g, '_');
    const endpoint =
      env[`AWS_ENDPOINT_URL_${id.toUpperCase()}`] ||
      (profile.endpointUrlFromEnvironment ? profile.endpointUrl : undefined) ||
      profile.serviceEndpointUrls?.[id] ||
      profile.endpointUrl;
    if (endpoint) {
      config.endpoint = endpoint;
      return config;
    }
  }
  if (service === 'sts' && profile.stsRegionalEndpoints === 'legacy' && LEGACY_STS_REGIONS.has(region)) {
    config.endpoint = 'https://sts.amazonaws.com';
  }
  return config;
}
