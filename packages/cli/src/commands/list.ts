import { Flags } from '@oclif/core';
import { formatGoDuration, isCredentialsKey, isOidcTokenKey, SessionStore, ssoStartUrlForProfile } from '@awsvault/core';
import { oidcLabel } from '../list/oidcLabel.js';
import { formatTable } from '../list/formatTable.js';
import { VaultCommand } from '../vaultCommand.js';

export default class List extends VaultCommand {
  static override summary = 'List profiles, along with their credentials and sessions.';
  static override aliases = ['ls'];
  static override enableJsonFlag = true;
  static override examples = ['<%= config.bin %> list', '<%= config.bin %> list --credentials', '<%= config.bin %> list --json'];
  static override flags = {
    profiles: Flags.boolean({ description: 'Show only the profile names', default: false }),
    sessions: Flags.boolean({ description: 'Show only the session names', default: false }),
    credentials: Flags.boolean({ description: 'Show only the profiles with stored credential', default: false }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parseVault(List);
    const config = this.awsConfig();
    if (flags.profiles && !this.jsonEnabled()) {
      for (const name of config.profileNames) this.log(name);
      return config.profileNames;
    }
    const backend = await this.openBackend(flags);
    const keys = await backend.keys();
    const credentials = keys.filter(isCredentialsKey);
    const oidc = keys.filter(isOidcTokenKey);
    const now = Date.now();
    const sessions = (await new SessionStore(backend).list()).map(({ key }) => ({
      profile: key.profileName,
      type: key.type,
      expiresAt: new Date(key.expiry * 1000),
      label: `${key.type}:${formatGoDuration(key.expiry * 1000 - now)}`,
    }));
    if (this.jsonEnabled()) {
      return {
        profiles: config.profileNames.map((name) => ({
          name,
          credentials: credentials.includes(name),
          sessions: sessions.filter((s) => s.profile === name).map((s) => ({ type: s.type, expiration: s.expiresAt.toISOString() })),
        })),
        credentials,
        sessions: sessions.map((s) => ({ profile: s.profile, type: s.type, expiration: s.expiresAt.toISOString() })),
        ssoTokens: oidc.map((key) => key.slice('oidc:'.length)),
      };
    }
    if (flags.credentials) {
      for (const name of credentials) this.log(name);
      return;
    }
    const tokens = oidc.map((key) => ({ key, startUrl: key.slice('oidc:'.length), label: oidcLabel(config, key.slice('oidc:'.length)) }));
    if (flags.sessions) {
      for (const token of tokens) this.log(token.label);
      for (const s of sessions) this.log(s.label);
      return;
    }
    const rows: string[][] = [['Profile', 'Credentials', 'Sessions'], ['=======', '===========', '========']];
    const shownSessions = new Set<(typeof sessions)[number]>();
    const shownTokens = new Set<string>();
    for (const name of config.profileNames) {
      const startUrl = ssoStartUrlForProfile(config, name, this.env());
      const token = tokens.find((t) => t.startUrl === startUrl);
      const own = sessions.filter((s) => s.profile === name);
      own.forEach((s) => shownSessions.add(s));
      if (token) shownTokens.add(token.key);
      const labels = [...(token ? [token.label] : []), ...own.map((s) => s.label)];
      rows.push([name, credentials.includes(name) ? name : '-', labels.length > 0 ? labels.join(', ') : '-']);
    }
    for (const name of credentials) if (!config.profileNames.includes(name)) rows.push(['-', name, '-']);
    for (const token of tokens) if (!shownTokens.has(token.key)) rows.push(['-', '-', token.label]);
    for (const s of sessions) if (!shownSessions.has(s)) rows.push(['-', '-', s.label]);
    process.stdout.write(formatTable(rows));
    return;
  }
}
