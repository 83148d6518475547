import { Flags } from '@oclif/core';
import { listJson, listView, renderList } from '../list/renderList.js';
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
    const view = listView(config, await backend.keys(), Date.now());
    if (this.jsonEnabled()) return listJson(config, view);
    process.stdout.write(renderList(config, view, this.env(), flags.credentials ? 'credentials' : flags.sessions ? 'sessions' : undefined));
    return undefined;
  }
}
