import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isVaultError } from '../errors.js';
import { loadAwsConfig, type AwsConfig } from './loadAwsConfig.js';
import { resolveProfile, type ResolveOptions } from './resolveProfile.js';

const root = mkdtempSync(join(tmpdir(), 'vault-resolve-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

function load(text: string, credentials?: string): AwsConfig {
  const dir = join(root, String(counter++));
  mkdirSync(dir);
  const paths = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
  writeFileSync(paths.configFile, text);
  if (credentials !== undefined) writeFileSync(paths.credentialsFile, credentials);
  return loadAwsConfig(paths);
}

function resolve(text: string, name: string, options: Partial<ResolveOptions> = {}) {
  const config = load(text);
  return { config, profile: resolveProfile(config, name, { env: {}, ...options }) };
}

function assertVaultError(fn: () => unknown, code: string, ...fragments: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isVaultError(error), `expected a VaultError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `${JSON.stringify(error.message)} should contain ${JSON.stringify(fragment)}`);
    return true;
  });
}

const SERIAL = 'arn:aws:iam::111111111111:mfa/jonsmith';
const OTHER_SERIAL = 'arn:aws:iam::111111111111:mfa/other';
const ROLE = 'arn:aws:iam::222222222222:role/Admin';

describe('resolveProfile: [default] and include_profile fill blanks', () => {
  it('fills region, mfa_serial and other blanks from [default], the profile itself winning', () => {
    const { profile } = resolve(`[default]\nregion = us-west-2\nmfa_serial = ${SERIAL}\nexternal_id = d\n[profile dev]\nregion = eu-west-1\n`, 'dev');
    assert.equal(profile.region, 'eu-west-1');
    assert.equal(profile.mfaSerial, SERIAL);
    assert.equal(profile.externalId, 'd');
    assert.equal(profile.hasSection, true);
  });

  it('inherits role_arn and source_profile from [default] too (aws-vault quirk, unlike the AWS CLI)', () => {
    const { profile } = resolve(`[default]\nsource_profile = base\nrole_arn = ${ROLE}\n[profile base]\nregion = eu-west-1\n[profile app]\n`, 'app');
    assert.equal(profile.roleArn, ROLE);
    assert.equal(profile.sourceProfileName, 'base');
    // base inherits source_profile = base from [default], which points at itself and is dropped
    assert.equal(profile.sourceProfile?.name, 'base');
    assert.equal(profile.sourceProfile?.sourceProfileName, undefined);
    assert.equal(profile.sourceProfile?.sourceProfile, undefined);
  });

  it('resolves a profile with no section to [default]\'s values, marking it as having no section', () => {
    const { profile } = resolve('[default]\nregion = us-east-2\n', 'ghost');
    assert.equal(profile.region, 'us-east-2');
    assert.equal(profile.hasSection, false);
  });

  it('counts a profile only in the credentials file as having a section', () => {
    const config = load('', '[keys-only]\naws_access_key_id = AKIA\n');
    assert.equal(resolveProfile(config, 'keys-only', { env: {} }).hasSection, true);
  });

  it('merges include_profile before [default], and does not consult [default] twice', () => {
    const text = [
      '[default]',
      'region = from-default',
      'external_id = from-default',
      'source_identity = from-default',
      '[profile common]',
      'region = from-common',
      `mfa_serial = ${SERIAL}`,
      '[profile app]',
      'include_profile = common',
      'external_id = from-app',
    ].join('\n');
    const { profile } = resolve(text, 'app');
    assert.equal(profile.externalId, 'from-app');
    assert.equal(profile.region, 'from-common');
    assert.equal(profile.mfaSerial, SERIAL);
    assert.equal(profile.sourceIdentity, 'from-default');
  });

  it('follows include_profile chains', () => {
    const { profile } = resolve('[profile a]\ninclude_profile = b\n[profile b]\ninclude_profile = c\n[profile c]\nregion = deep\n', 'a');
    assert.equal(profile.region, 'deep');
  });

  it('reports an include_profile loop as CONFIG_LOOP naming the chain', () => {
    const text = '[profile a]\ninclude_profile = b\n[profile b]\ninclude_profile = a\n';
    const config = load(text);
    assertVaultError(() => resolveProfile(config, 'a', { env: {} }), 'CONFIG_LOOP', 'a -> b -> a', 'include_profile', config.paths.configFile);
  });

  it('reports a profile including itself as CONFIG_LOOP', () => {
    assertVaultError(() => resolve('[profile a]\ninclude_profile = a\n', 'a'), 'CONFIG_LOOP', 'a -> a');
  });

  it('records where each value came from', () => {
    const { config, profile } = resolve('[default]\nregion = r\n[profile a]\nmfa_serial = m\n', 'a', { env: { AWS_MFA_SERIAL: '' } });
    assert.equal(profile.origins['region'], `${config.paths.configFile}:2`);
    assert.equal(profile.origins['mfa_serial'], `${config.paths.configFile}:4`);
  });
});

describe('resolveProfile: source_profile chains', () => {
  const TABLE = [
    '[profile jonsmith]',
    'region = us-east-1',
    `mfa_serial = ${SERIAL}`,
    '[profile bar-role1]',
    'source_profile = jonsmith',
    'role_arn = arn:aws:iam::333333333333:role/Role1',
    `mfa_serial = ${SERIAL}`,
    '[profile bar-role2]',
    'source_profile = bar-role1',
    'role_arn = arn:aws:iam::333333333333:role/Role2',
    `mfa_serial = ${SERIAL}`,
  ].join('\n');

  it('links each profile to its source (sourceProfile) and back (chainedFrom)', () => {
    const { profile } = resolve(TABLE, 'bar-role2');
    const role1 = profile.sourceProfile;
    const jon = role1?.sourceProfile;
    assert.equal(profile.chainedFrom, undefined);
    assert.equal(profile.sourceProfileName, 'bar-role1');
    assert.equal(role1?.name, 'bar-role1');
    assert.equal(role1?.chainedFrom, profile);
    assert.equal(role1?.sourceProfileName, 'jonsmith');
    assert.equal(jon?.name, 'jonsmith');
    assert.equal(jon?.chainedFrom, role1);
    assert.equal(jon?.sourceProfile, undefined);
    assert.equal(jon?.roleArn, undefined);
  });

  it('reports a source_profile loop A -> B -> A as CONFIG_LOOP instead of recursing forever', () => {
    const config = load('[profile a]\nsource_profile = b\n[profile b]\nsource_profile = a\n');
    assertVaultError(() => resolveProfile(config, 'a', { env: {} }), 'CONFIG_LOOP', 'profile a', 'a -> b -> a', 'source_profile');
  });

  it('reports a longer source_profile loop, naming every link', () => {
    assertVaultError(() => resolve('[profile a]\nsource_profile = b\n[profile b]\nsource_profile = c\n[profile c]\nsource_profile = b\n', 'a'), 'CONFIG_LOOP', 'a -> b -> c -> b');
  });

  it('drops a source_profile naming the profile itself', () => {
    const { profile } = resolve(`[profile root]\nsource_profile = root\nmfa_serial = ${SERIAL}\n`, 'root');
    assert.equal(profile.sourceProfileName, undefined);
    assert.equal(profile.sourceProfile, undefined);
  });

  it('inherits mfa_process from the source when the profile has none (ByteNess)', () => {
    const { profile } = resolve('[profile base]\nmfa_process = ykman oath code x\n[profile role]\nsource_profile = base\n[profile own]\nsource_profile = base\nmfa_process = mine\n', 'role');
    assert.equal(profile.mfaProcess, 'ykman oath code x');
    assert.equal(resolve('[profile base]\nmfa_process = theirs\n[profile own]\nsource_profile = base\nmfa_process = mine\n', 'own').profile.mfaProcess, 'mine');
  });

  it('resolves a source_profile that has no section (the provider decides whether keys exist)', () => {
    const { profile } = resolve('[profile a]\nsource_profile = nowhere\n', 'a');
    assert.equal(profile.sourceProfile?.name, 'nowhere');
    assert.equal(profile.sourceProfile?.hasSection, false);
  });
});

describe('resolveProfile: sso_session', () => {
  it('takes sso_start_url, sso_region and scopes from [sso-session], over inline values', () => {
    const text = [
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start#/',
      'sso_region = eu-west-1',
      'sso_registration_scopes = sso:account:access',
      '[profile dev]',
      'sso_session = corp',
      'sso_start_url = https://inline.awsapps.com/start',
      'sso_region = us-east-1',
      'sso_account_id = 123456789012',
      'sso_role_name = Dev',
    ].join('\n');
    const { profile } = resolve(text, 'dev');
    assert.equal(profile.ssoSession, 'corp');
    assert.equal(profile.ssoStartUrl, 'https://corp.awsapps.com/start#/');
    assert.equal(profile.ssoRegion, 'eu-west-1');
    assert.equal(profile.ssoRegistrationScopes, 'sso:account:access');
    assert.equal(profile.ssoAccountId, '123456789012');
    assert.equal(profile.ssoRoleName, 'Dev');
  });

  it('keeps an inline value the session does not set', () => {
    const { profile } = resolve('[sso-session corp]\nsso_start_url = https://corp/start\n[profile dev]\nsso_session = corp\nsso_region = ap-southeast-2\n', 'dev');
    assert.equal(profile.ssoStartUrl, 'https://corp/start');
    assert.equal(profile.ssoRegion, 'ap-southeast-2');
  });

  it('reports sso_session naming a missing section as CONFIG_INVALID with profile, key and file:line', () => {
    const config = load('[profile dev]\nregion = x\nsso_session = nope\n');
    assertVaultError(() => resolveProfile(config, 'dev', { env: {} }), 'CONFIG_INVALID', 'profile dev', 'sso_session', 'nope', `${config.paths.configFile}:3`);
  });
});

describe('resolveProfile: environment and flags', () => {
  const CHAIN = `[profile base]\nregion = file-region\n[profile role]\nsource_profile = base\nrole_arn = ${ROLE}\nregion = file-region\n`;

  it('prefers AWS_REGION over AWS_DEFAULT_REGION over the file, for every profile in the chain', () => {
    let { profile } = resolve(CHAIN, 'role', { env: { AWS_REGION: 'env-region', AWS_DEFAULT_REGION: 'env-default' } });
    assert.equal(profile.region, 'env-region');
    assert.equal(profile.sourceProfile?.region, 'env-region');
    ({ profile } = resolve(CHAIN, 'role', { env: { AWS_DEFAULT_REGION: 'env-default' } }));
    assert.equal(profile.region, 'env-default');
    assert.equal(profile.sourceProfile?.region, 'env-default');
    ({ profile } = resolve(CHAIN, 'role', { env: { AWS_REGION: '' } }));
    assert.equal(profile.region, 'file-region');
  });

  it('puts --region above the environment, for the whole chain', () => {
    const { profile } = resolve(CHAIN, 'role', { region: 'flag-region', env: { AWS_REGION: 'env-region' } });
    assert.equal(profile.region, 'flag-region');
    assert.equal(profile.sourceProfile?.region, 'flag-region');
    assert.equal(profile.origins['region'], '--region');
  });

  it('applies AWS_MFA_SERIAL to every profile in the chain, above the file', () => {
    const text = `[profile base]\nmfa_serial = ${OTHER_SERIAL}\n[profile role]\nsource_profile = base\nrole_arn = ${ROLE}\n`;
    const { profile } = resolve(text, 'role', { env: { AWS_MFA_SERIAL: SERIAL } });
    assert.equal(profile.mfaSerial, SERIAL);
    assert.equal(profile.sourceProfile?.mfaSerial, SERIAL);
  });

  it('applies AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME, AWS_SESSION_TAGS, AWS_TRANSITIVE_TAGS and AWS_SOURCE_IDENTITY only to the target', () => {
    const env = {
      AWS_ROLE_ARN: 'arn:aws:iam::444444444444:role/FromEnv',
      AWS_ROLE_SESSION_NAME: 'env-session',
      AWS_SESSION_TAGS: 'team=env',
      AWS_TRANSITIVE_TAGS: 'team',
      AWS_SOURCE_IDENTITY: 'env-identity',
    };
    const { profile } = resolve(CHAIN, 'role', { env });
    assert.equal(profile.roleArn, 'arn:aws:iam::444444444444:role/FromEnv');
    assert.equal(profile.roleSessionName, 'env-session');
    assert.deepEqual(profile.sessionTags, { team: 'env' });
    assert.deepEqual(profile.transitiveSessionTags, ['team']);
    assert.equal(profile.sourceIdentity, 'env-identity');
    const base = profile.sourceProfile;
    assert.equal(base?.roleArn, undefined);
    assert.equal(base?.roleSessionName, undefined);
    assert.equal(base?.sessionTags, undefined);
    assert.equal(base?.transitiveSessionTags, undefined);
    assert.equal(base?.sourceIdentity, undefined);
  });

  it('takes AWS_STS_REGIONAL_ENDPOINTS and AWS_ENDPOINT_URL for the whole chain, above the file', () => {
    const text = `[profile base]\nsts_regional_endpoints = regional\nendpoint_url = https://file.example\n[profile role]\nsource_profile = base\nrole_arn = ${ROLE}\n`;
    const { profile } = resolve(text, 'role', { env: { AWS_STS_REGIONAL_ENDPOINTS: 'legacy', AWS_ENDPOINT_URL: 'http://localhost:4566' } });
    assert.equal(profile.stsRegionalEndpoints, 'legacy');
    assert.equal(profile.endpointUrl, 'http://localhost:4566');
    assert.equal(profile.sourceProfile?.stsRegionalEndpoints, 'legacy');
    assert.equal(profile.sourceProfile?.endpointUrl, 'http://localhost:4566');
  });

  it('reads the per-service endpoints of the profile\'s [services] section, and knows where endpoint_url came from', () => {
    const text = '[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\nsso_oidc =\n  endpoint_url = http://127.0.0.1:2\n' +
      '[profile p]\nservices = local\nendpoint_url = http://127.0.0.1:3\n[profile q]\nservices = missing\n';
    const { profile } = resolve(text, 'p');
    assert.deepEqual(profile.serviceEndpointUrls, { sts: 'http://127.0.0.1:1', sso_oidc: 'http://127.0.0.1:2' });
    assert.equal(profile.endpointUrl, 'http://127.0.0.1:3');
    assert.equal(profile.endpointUrlFromEnvironment, undefined);
    const fromEnv = resolve(text, 'p', { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4' } }).profile;
    assert.equal(fromEnv.endpointUrl, 'http://127.0.0.1:4');
    assert.equal(fromEnv.endpointUrlFromEnvironment, true);
    // The AWS SDKs ignore a services name without a section.
    assert.equal(resolve(text, 'q').profile.serviceEndpointUrls, undefined);
  });

  it('rejects a [services] endpoint_url that is not a URL, naming the profile, the section and the line', () => {
    const config = load('[services s]\nsts =\n  endpoint_url = localhost:4566\n[profile p]\nservices = s\n');
    assertVaultError(() => resolveProfile(config, 'p', { env: {} }), 'CONFIG_INVALID', 'profile p', '[services s]', `${config.paths.configFile}:3`);
  });

  it('reads ignore_configured_endpoint_urls from the file, below AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
    const text = '[profile p]\nignore_configured_endpoint_urls = True\n[profile bad]\nignore_configured_endpoint_urls = yes\n';
    assert.equal(resolve(text, 'p').profile.ignoreConfiguredEndpointUrls, true);
    assert.equal(resolve(text, 'p', { env: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' } }).profile.ignoreConfiguredEndpointUrls, undefined);
    assertVaultError(() => resolve(text, 'bad'), 'CONFIG_INVALID', 'profile bad', 'ignore_configured_endpoint_urls = yes', 'must be true or false');
  });

  it('gives the --mfa-token code to every profile in the chain', () => {
    const { profile } = resolve(CHAIN, 'role', { mfaToken: '123456' });
    assert.equal(profile.mfaToken, '123456');
    assert.equal(profile.sourceProfile?.mfaToken, '123456');
  });

  it('reports a malformed AWS_SESSION_TAGS naming the variable', () => {
    assertVaultError(() => resolve(CHAIN, 'role', { env: { AWS_SESSION_TAGS: 'a' } }), 'CONFIG_INVALID', 'session_tags', 'AWS_SESSION_TAGS');
  });
});

describe('resolveProfile: durations', () => {
  const CHAIN = `[profile base]\n[profile role]\nsource_profile = base\nrole_arn = ${ROLE}\n`;

  it('defaults to AssumeRole 1h, GetSessionToken 1h, chained GetSessionToken 8h, GetFederationToken 1h', () => {
    const { profile } = resolve(CHAIN, 'role');
    assert.equal(profile.assumeRoleDuration, 3600);
    assert.equal(profile.sessionTokenDuration, 3600);
    assert.equal(profile.chainedSessionTokenDuration, 8 * 3600);
    assert.equal(profile.federationTokenDuration, 3600);
    assert.equal(profile.durationFromFlag, false);
  });

  it('takes duration_seconds for AssumeRole, from the profile or [default]', () => {
    assert.equal(resolve(`[profile r]\nrole_arn = ${ROLE}\nduration_seconds = 7200\n`, 'r').profile.assumeRoleDuration, 7200);
    const { profile } = resolve(`[default]\nduration_seconds = 5400\n[profile r]\nrole_arn = ${ROLE}\n`, 'r');
    assert.equal(profile.assumeRoleDuration, 5400);
    assert.equal(profile.sessionTokenDuration, 3600);
  });

  it('puts AWS_ASSUME_ROLE_TTL above duration_seconds', () => {
    const { profile } = resolve(`[profile r]\nrole_arn = ${ROLE}\nduration_seconds = 7200\n`, 'r', { env: { AWS_ASSUME_ROLE_TTL: '90m' } });
    assert.equal(profile.assumeRoleDuration, 5400);
  });

  it('reads AWS_SESSION_TOKEN_TTL, AWS_CHAINED_SESSION_TOKEN_TTL and AWS_FEDERATION_TOKEN_TTL as Go durations', () => {
    const env = { AWS_SESSION_TOKEN_TTL: '2h', AWS_CHAINED_SESSION_TOKEN_TTL: '12h', AWS_FEDERATION_TOKEN_TTL: '30m' };
    const { profile } = resolve(CHAIN, 'role', { env });
    assert.equal(profile.sessionTokenDuration, 7200);
    assert.equal(profile.chainedSessionTokenDuration, 43_200);
    assert.equal(profile.federationTokenDuration, 1800);
    assert.equal(profile.sourceProfile?.chainedSessionTokenDuration, 43_200);
  });

  it('lets --duration set every duration of every profile in the chain', () => {
    const { profile } = resolve(`[profile base]\n[profile role]\nsource_profile = base\nrole_arn = ${ROLE}\nduration_seconds = 900\n`, 'role', {
      durationSeconds: 7200,
      env: { AWS_ASSUME_ROLE_TTL: '15m', AWS_SESSION_TOKEN_TTL: '15m' },
    });
    for (const p of [profile, profile.sourceProfile]) {
      assert.equal(p?.assumeRoleDuration, 7200);
      assert.equal(p?.sessionTokenDuration, 7200);
      assert.equal(p?.chainedSessionTokenDuration, 7200);
      assert.equal(p?.federationTokenDuration, 7200);
      assert.equal(p?.durationFromFlag, true);
    }
  });

  it('rejects AWS_SESSION_TOKEN_TTL=3600 (no unit) as ENV_INVALID', () => {
    assertVaultError(() => resolve(CHAIN, 'role', { env: { AWS_SESSION_TOKEN_TTL: '3600' } }), 'ENV_INVALID', 'AWS_SESSION_TOKEN_TTL=3600');
  });

  it('rejects a negative TTL as ENV_INVALID', () => {
    assertVaultError(() => resolve(CHAIN, 'role', { env: { AWS_ASSUME_ROLE_TTL: '-1h' } }), 'ENV_INVALID', 'AWS_ASSUME_ROLE_TTL');
  });

  it('treats a zero duration as unset, falling back as aws-vault does (never sends DurationSeconds 0)', () => {
    let { profile } = resolve(`[profile r]\nrole_arn = ${ROLE}\nduration_seconds = 0\n`, 'r');
    assert.equal(profile.assumeRoleDuration, 3600);
    ({ profile } = resolve(`[profile r]\nrole_arn = ${ROLE}\nduration_seconds = 7200\n`, 'r', { env: { AWS_ASSUME_ROLE_TTL: '0' } }));
    assert.equal(profile.assumeRoleDuration, 7200);
    ({ profile } = resolve(CHAIN, 'role', { env: { AWS_SESSION_TOKEN_TTL: '0', AWS_CHAINED_SESSION_TOKEN_TTL: '0s' } }));
    assert.equal(profile.sessionTokenDuration, 3600);
    assert.equal(profile.chainedSessionTokenDuration, 8 * 3600);
  });
});

describe('resolveProfile: invalid values are CONFIG_INVALID naming profile, key and file:line', () => {
  const cases: Array<[string, string, string]> = [
    ['duration_seconds', 'duration_seconds = 1h', '1h'],
    ['duration_seconds', 'duration_seconds = 3600.5', '3600.5'],
    ['session_tags', 'session_tags = a', 'a'],
    ['session_tags', 'session_tags = a=1,', 'a=1,'],
    ['role_arn', 'role_arn = nope', 'nope'],
    ['role_arn', 'role_arn = arn:aws:iam::12345:role/short-account', 'short-account'],
    ['sts_regional_endpoints', 'sts_regional_endpoints = x', 'x'],
    ['endpoint_url', 'endpoint_url = localhost:4566', 'localhost'],
  ];
  for (const [key, line, value] of cases) {
    it(`rejects "${line}"`, () => {
      const config = load(`[profile bad]\nregion = eu-west-1\n${line}\n`);
      assertVaultError(() => resolveProfile(config, 'bad', { env: {} }), 'CONFIG_INVALID', 'profile bad', key, value, `${config.paths.configFile}:3`);
    });
  }

  it('names [default]\'s line when the bad value is inherited from it', () => {
    const config = load('[default]\nduration_seconds = 1h\n[profile app]\n');
    assertVaultError(() => resolveProfile(config, 'app', { env: {} }), 'CONFIG_INVALID', 'profile app', 'duration_seconds', `${config.paths.configFile}:2`);
  });

  it('reports an invalid value in a source profile under that profile\'s name', () => {
    const config = load(`[profile base]\nsts_regional_endpoints = sometimes\n[profile role]\nsource_profile = base\nrole_arn = ${ROLE}\n`);
    assertVaultError(() => resolveProfile(config, 'role', { env: {} }), 'CONFIG_INVALID', 'profile base', 'sts_regional_endpoints', `${config.paths.configFile}:2`);
  });

  it('accepts role ARNs with paths and other partitions', () => {
    for (const arn of ['arn:aws:iam::123456789012:role/path/to/Role+x=y,z.w@q-', 'arn:aws-us-gov:iam::123456789012:role/r', 'arn:aws-cn:iam::123456789012:role/r']) {
      assert.equal(resolve(`[profile r]\nrole_arn = ${arn}\n`, 'r').profile.roleArn, arn);
    }
  });

  it('parses session_tags and transitive_session_tags', () => {
    const { profile } = resolve('[profile t]\nsession_tags = team = a , env=prod\ntransitive_session_tags = team, env ,\n', 't');
    assert.deepEqual(profile.sessionTags, { team: 'a', env: 'prod' });
    assert.deepEqual(profile.transitiveSessionTags, ['team', 'env']);
  });
});
