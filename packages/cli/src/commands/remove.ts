import { Args, Flags } from '@oclif/core';
import { askOnTerminal, CredentialStore, SessionStore, VaultError } from '@awsvault/core';
import { VaultCommand } from '../vaultCommand.js';

export default class Remove extends VaultCommand {
  static override summary = 'Remove credentials from the secure keystore.';
  static override description = 'Deletes the stored access key of the profile and its cached sessions.';
  static override aliases = ['rm'];
  static override examples = ['<%= config.bin %> remove dev', '<%= config.bin %> rm -f dev'];
  static override args = { profile: Args.string({ description: 'Name of the profile', required: true }) };
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Force-remove the profile without a prompt', default: false }),
    'sessions-only': Flags.boolean({ char: 's', description: 'Only remove the cached sessions', hidden: true, default: false }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parseVault(Remove);
    const name = args.profile;
    const backend = await this.openBackend(flags);
    const sessions = new SessionStore(backend, { debug: this.debugLog });
    if (flags['sessions-only']) {
      this.log(`Deleted ${await sessions.removeForProfile(name)} sessions.`);
      return;
    }
    const store = new CredentialStore(backend);
    if (!(await store.has(name))) {
      throw new VaultError('NO_CREDENTIALS', `profile ${name}: no stored credentials to remove`, { hint: 'see `vault list --credentials`' });
    }
    if (!flags.force) {
      const answer = await askOnTerminal(`Delete credentials for profile "${name}"? (y|N) `);
      if (!/^(y|yes)$/i.test(answer)) return;
    }
    await store.remove(name);
    this.log('Deleted credentials.');
    const deleted = await sessions.removeForProfile(name);
    if (deleted > 0) this.log(`Deleted ${deleted} sessions.`);
  }
}
