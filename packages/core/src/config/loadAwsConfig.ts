import { readFileSync } from 'node:fs';
import { VaultError } from '../errors.js';
import type { ConfigFilePaths } from './configFiles.js';
import { parseIni, type IniEntry, type IniFile, type IniSection } from './parseIni.js';

/** A profile's or sso-session's keys as written, each with the file it came from. */
export interface RawSection {
  name: string;
  file: string;
  line: number;
  entries: Map<string, IniEntry>;
}

/** A section of the config file under its profile or sso-session name; its entries are the parsed file's own (read lazily). */
class ConfigSection implements RawSection {
  readonly line: number;
  constructor(
    readonly name: string,
    readonly file: string,
    private readonly section: IniSection,
  ) {
    this.line = section.line;
  }

  get entries(): Map<string, IniEntry> {
    return this.section.entries;
  }
}

/** A `[services name]` section: sub-keys by service id (`sts`, `sso_oidc`, …), each with the file it came from. @public */
export interface ServicesSection {
  name: string;
  file: string;
  line: number;
  byService: Map<string, Map<string, IniEntry>>;
}

/** The AWS config and credentials files, parsed. @public */
export interface AwsConfig {
  paths: ConfigFilePaths;
  /** Profiles of the config file by name (`[default]` is `default`). */
  profiles: Map<string, RawSection>;
  /** Profile names in file order, as `vault list` shows them. */
  profileNames: string[];
  ssoSessions: Map<string, RawSection>;
  /** `[services name]` sections: per-service settings (`sts =` then an indented `endpoint_url = …`). */
  services?: Map<string, ServicesSection>;
  /** Section names of the credentials file (vault never reads keys from it; they count as known profiles). */
  credentialsProfiles: Set<string>;
}

/** Keys aws-vault reads from a profile; `[default]` is listed only when it sets one of them. */
export const PROFILE_KEYS = [
  'region', 'sts_regional_endpoints', 'endpoint_url', 'mfa_serial', 'mfa_process', 'role_arn', 'role_session_name',
  'external_id', 'duration_seconds', 'source_profile', 'include_profile', 'sso_session', 'sso_start_url', 'sso_region',
  'sso_account_id', 'sso_role_name', 'sso_registration_scopes', 'web_identity_token_file', 'web_identity_token_process',
  'credential_process', 'session_tags', 'transitive_session_tags', 'source_identity',
] as const;

/** Reads both files; a missing file is an empty one, an unreadable or malformed one an error naming it. @public */
export function loadAwsConfig(paths: ConfigFilePaths): AwsConfig {
  const config = readIni(paths.configFile);
  const credentials = readIni(paths.credentialsFile);
  const profiles = new Map<string, RawSection>();
  const ssoSessions = new Map<string, RawSection>();
  const services = new Map<string, ServicesSection>();
  const profileNames: string[] = [];
  const named = new Set<string>(); // profileNames as a set: a config of thousands of profiles made includes() quadratic
  let defaultAt: number | undefined;
  const addProfile = (name: string, section: RawSection, wins = false) => {
    const existing = profiles.get(name);
    if (existing) {
      // `[default]` and `[profile default]` are one profile; the plain `[default]` wins on conflicts.
      for (const [key, entry] of section.entries) if (wins || !existing.entries.has(key)) existing.entries.set(key, entry);
      return;
    }
    profiles.set(name, section);
  };
  for (const section of config?.sections.values() ?? []) {
    const raw = (name: string): RawSection => new ConfigSection(name, paths.configFile, section);
    if (section.name === 'default') {
      defaultAt ??= profileNames.length;
      addProfile('default', raw('default'), true);
    } else if (section.name.startsWith('profile ')) {
      const name = section.name.slice('profile '.length).trim();
      if (name === 'default') defaultAt ??= profileNames.length;
      addProfile(name, raw(name));
      if (name !== 'default' && !named.has(name)) {
        named.add(name);
        profileNames.push(name);
      }
    } else if (section.name.startsWith('sso-session ')) {
      const name = section.name.slice('sso-session '.length).trim();
      ssoSessions.set(name, raw(name));
    } else if (section.name.startsWith('services ')) {
      const name = section.name.slice('services '.length).trim();
      services.set(name, { name, file: paths.configFile, line: section.line, get byService() { return section.nested ?? new Map(); } });
    }
  }
  const defaults = profiles.get('default');
  if (defaults && PROFILE_KEYS.some((key) => (defaults.entries.get(key)?.value ?? '') !== '')) profileNames.splice(defaultAt ?? 0, 0, 'default');
  const credentialsProfiles = new Set(credentials ? [...credentials.sections.keys()] : []);
  return { paths, profiles, profileNames, ssoSessions, services, credentialsProfiles };
}

function readIni(path: string): IniFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new VaultError('CONFIG_UNREADABLE', `cannot read ${path}: it is a directory`);
    throw new VaultError('CONFIG_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`);
  }
  return parseIni(text, path);
}
