import { VaultError } from '../errors.js';

/** Where the console sign-in happens and where it lands, for one region. @public */
export interface ConsoleSignin {
  /** The federation endpoint: `getSigninToken` and `login` are actions on it. */
  federationUrl: string;
  /** The console page the browser lands on after signing in. */
  destination: string;
  /** The sign-out endpoint (`?Action=logout&redirect_uri=…`) of the same partition. */
  logoutUrl: string;
}

interface Partition {
  federationUrl: string;
  consoleDomain: string;
  logoutUrl: string;
}

const COMMERCIAL: Partition = {
  federationUrl: 'https://us-east-1.signin.aws.amazon.com/federation',
  consoleDomain: 'console.aws.amazon.com',
  logoutUrl: 'https://us-east-1.signin.aws.amazon.com/oauth',
};
const PARTITIONS: ReadonlyArray<[string, Partition]> = [
  ['cn-', { federationUrl: 'https://signin.amazonaws.cn/federation', consoleDomain: 'console.amazonaws.cn', logoutUrl: 'https://signin.amazonaws.cn/oauth' }],
  ['us-gov-', { federationUrl: 'https://signin.amazonaws-us-gov.com/federation', consoleDomain: 'console.amazonaws-us-gov.com', logoutUrl: 'https://signin.amazonaws-us-gov.com/oauth' }],
  ['eusc-', { federationUrl: 'https://signin.amazonaws-eusc.eu/federation', consoleDomain: 'console.amazonaws-eusc.eu', logoutUrl: 'https://signin.amazonaws-eusc.eu/oauth' }],
];

/**
 * aws-vault's (ByteNess) rules for the sign-in endpoint and the console destination:
 * no region → the commercial endpoint and `https://console.aws.amazon.com/` (`path` ignored);
 * `cn-*`, `us-gov-*` and `eusc-*` regions → their partition's endpoint and console domain; any other
 * region → the commercial ones. With a region the destination is
 * `https://<region>.<domain>/<path>?region=<region>`, `path` defaulting to `console/home`.
 * `federationEndpoint` (from `AWS_ENDPOINT_URL_SIGNIN`, `AWS_ENDPOINT_URL` or `endpoint_url`)
 * replaces the partition's endpoint; a bare `scheme://host[:port]` gets `/federation` appended.
 * @public
 */
export function consoleSignin(options: { region?: string | undefined; path?: string | undefined; federationEndpoint?: string | undefined }): ConsoleSignin {
  const region = options.region ?? '';
  const partition = PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? COMMERCIAL;
  let destination = 'https://console.aws.amazon.com/';
  if (region !== '') {
    const path = (options.path ?? '').replace(/^\/+/, '');
    destination = `https://${region}.${partition.consoleDomain}/${path || 'console/home'}?region=${region}`;
  }
  let federationUrl = partition.federationUrl;
  let logoutUrl = partition.logoutUrl;
  if (options.federationEndpoint) {
    let custom: URL;
    try {
      custom = new URL(options.federationEndpoint);
    } catch {
      throw new VaultError('ENDPOINT_INVALID', `the sign-in endpoint ${options.federationEndpoint} is not a URL`, { hint: 'check AWS_ENDPOINT_URL_SIGNIN, AWS_ENDPOINT_URL and endpoint_url' });
    }
    const base = `${custom.protocol}//${custom.host}`;
    federationUrl = custom.pathname === '/' || custom.pathname === '' ? `${base}/federation` : `${base}${custom.pathname.replace(/\/+$/, '')}`;
    logoutUrl = `${base}/oauth`;
  }
  return { federationUrl, destination, logoutUrl };
}
