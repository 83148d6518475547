import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isVaultError } from '../errors.js';
import { loadAwsConfig, type AwsConfig } from './loadAwsConfig.js';

const root = mkdtempSync(join(tmpdir(), 'vault-load-config-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** Writes the files into a fresh directory and loads them. */
function load(config: string | undefined, credentials?: string): AwsConfig {
  const dir = join(root, String(counter++));
  mkdirSync(dir);
  const paths = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
  if (config !== undefined) writeFileSync(paths.configFile, config);
  if (credentials !== undefined) writeFileSync(paths.credentialsFile, credentials);
  return loadAwsConfig(paths);
}

const values = (config: AwsConfig, profile: string) =>
  Object.fromEntries([...(config.profiles.get(profile)?.entries ?? [])].map(([key, entry]) => [key, entry.value]));

describe('loadAwsConfig: sections and profile names', () => {
  it('reads [default], [profile x] and [sso-session x], each tagged with its file and line', () => {
    const config = load('[default]\nregion = us-east-1\n\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n[sso-session corp]\nsso_region = eu-west-1\n');
    assert.deepEqual([...config.profiles.keys()], ['default', 'dev']);
    assert.deepEqual([...config.ssoSessions.keys()], ['corp']);
    const dev = config.profiles.get('dev');
    assert.equal(dev?.file, config.paths.configFile);
    assert.equal(dev?.line, 4);
    assert.equal(dev?.entries.get('role_arn')?.line, 5);
    assert.deepEqual(values(config, 'default'), { region: 'us-east-1' });
    assert.equal(config.ssoSessions.get('corp')?.entries.get('sso_region')?.value, 'eu-west-1');
  });

  it('lists profiles in file order', () => {
    const config = load('[profile zeta]\nregion = a\n[profile alpha]\n[profile mid]\nregion = c\n');
    assert.deepEqual(config.profileNames, ['zeta', 'alpha', 'mid']);
  });

  it('lists [default] at its place in the file, as aws-vault does', () => {
    const config = load('[profile a]\nregion = x\n[default]\nregion = us-east-1\n[profile b]\n');
    assert.deepEqual(config.profileNames, ['a', 'default', 'b']);
  });

  it('lists [default] only when it sets a recognised key', () => {
    assert.deepEqual(load('[default]\noutput = json\ncli_pager =\n[profile a]\n').profileNames, ['a']);
    assert.deepEqual(load('[default]\nregion =\n[profile a]\n').profileNames, ['a']);
    assert.deepEqual(load('[default]\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n[profile a]\n').profileNames, ['default', 'a']);
  });

  it('still keeps an unlisted [default] as a profile, so others inherit from it', () => {
    const config = load('[default]\noutput = json\n');
    assert.deepEqual(config.profileNames, []);
    assert.ok(config.profiles.has('default'));
  });

  it('merges [profile default] into [default], lists it once, and lets [default] win', () => {
    const config = load('[default]\nregion = from-default\n[profile default]\nregion = from-profile-default\nmfa_serial = m\n');
    assert.deepEqual(config.profileNames, ['default']);
    assert.deepEqual(values(config, 'default'), { region: 'from-default', mfa_serial: 'm' });
  });

  it('lets [default] win over [profile default] whichever comes first in the file', () => {
    const config = load('[profile default]\nregion = from-profile-default\nmfa_serial = m\n[default]\nregion = from-default\n');
    assert.deepEqual(config.profileNames, ['default']);
    assert.deepEqual(values(config, 'default'), { region: 'from-default', mfa_serial: 'm' });
    assert.equal(config.profiles.get('default')?.entries.get('region')?.line, 5);
  });

  it('ignores [DEFAULT] (another section than [default]) and unknown section kinds', () => {
    const config = load('[DEFAULT]\nregion = x\n[services s]\nsts =\n  endpoint_url = http://x\n[plugins]\ncli = y\n[profile a]\n');
    assert.deepEqual([...config.profiles.keys()], ['a']);
    assert.deepEqual(config.profileNames, ['a']);
    assert.equal(config.ssoSessions.size, 0);
  });

  it('merges a repeated [profile x] into one profile, listed once', () => {
    const config = load('[profile x]\nregion = a\n[profile y]\n[profile x]\nmfa_serial = m\n');
    assert.deepEqual(config.profileNames, ['x', 'y']);
    assert.deepEqual(values(config, 'x'), { region: 'a', mfa_serial: 'm' });
  });

  it('keeps profile names case-sensitive', () => {
    const config = load('[profile Dev]\nregion = a\n[profile dev]\nregion = b\n');
    assert.deepEqual(config.profileNames, ['Dev', 'dev']);
  });

  it('knows the section names of the credentials file without taking keys from it', () => {
    const config = load('[profile a]\n', '[a]\naws_access_key_id = AKIA\n[only-creds]\naws_access_key_id = AKIB\n');
    assert.deepEqual([...config.credentialsProfiles], ['a', 'only-creds']);
    assert.deepEqual(config.profileNames, ['a']);
    assert.ok(!config.profiles.has('only-creds'));
  });
});

describe('loadAwsConfig: missing, unreadable and malformed files', () => {
  it('treats missing files as empty', () => {
    const config = load(undefined);
    assert.equal(config.profiles.size, 0);
    assert.deepEqual(config.profileNames, []);
    assert.equal(config.ssoSessions.size, 0);
    assert.equal(config.credentialsProfiles.size, 0);
  });

  it('reports a directory given as the config file as CONFIG_UNREADABLE naming it', () => {
    const dir = mkdtempSync(join(root, 'as-dir-'));
    const configFile = join(dir, 'config');
    mkdirSync(configFile);
    assert.throws(
      () => loadAwsConfig({ configFile, credentialsFile: join(dir, 'credentials') }),
      (error: unknown) => {
        assert.ok(isVaultError(error));
        assert.equal(error.code, 'CONFIG_UNREADABLE');
        assert.ok(error.message.includes(configFile), error.message);
        return true;
      },
    );
  });

  it('reports a syntax error in the credentials file with that file and line', () => {
    const dir = mkdtempSync(join(root, 'bad-creds-'));
    const credentialsFile = join(dir, 'credentials');
    writeFileSync(credentialsFile, '[a]\naws_access_key_id = AKIA\n[b\n');
    assert.throws(
      () => loadAwsConfig({ configFile: join(dir, 'config'), credentialsFile }),
      (error: unknown) => isVaultError(error) && error.code === 'CONFIG_SYNTAX' && error.message.includes(`${credentialsFile}:3`),
    );
  });
});
