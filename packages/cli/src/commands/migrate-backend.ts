import { Flags } from '@oclif/core';
import { migrateItems, VaultError } from '@awsvault/core';
import { VaultCommand } from '../vaultCommand.js';

export default class MigrateBackend extends VaultCommand {
  static override summary = 'Migrate stored credentials between keyring backends.';
  static override description = 'Copies long-term credentials (with --include-sessions also cached sessions and SSO tokens) from one backend to another, reads each copy back to verify it, and deletes the originals only with --delete-source.';
  static override examples = [
    '<%= config.bin %> migrate-backend --from file --to secret-service --dry-run',
    '<%= config.bin %> migrate-backend --from file --to pass --delete-source',
  ];
  static override flags = {
    from: Flags.string({ description: 'Backend to copy from', required: true }),
    to: Flags.string({ description: 'Backend to copy to', required: true }),
    profile: Flags.string({ description: 'Migrate only this profile', multiple: true }),
    'dry-run': Flags.boolean({ description: 'Show what would be migrated and change nothing', default: false }),
    overwrite: Flags.boolean({ description: 'Replace items the destination already has', default: false }),
    'delete-source': Flags.boolean({ description: 'Delete each item from the source once its copy is verified', aliases: ['delete'], default: false }),
    'include-sessions': Flags.boolean({ description: 'Also migrate cached sessions and SSO tokens', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseVault(MigrateBackend);
    if (flags.from === flags.to) throw new VaultError('MIGRATE_SAME_BACKEND', 'source and destination backends must differ');
    const from = await this.openBackend({ ...flags, backend: flags.from });
    const to = await this.openBackend({ ...flags, backend: flags.to });
    if (flags['dry-run']) {
      const keys = flags.profile ?? (await from.keys()).filter((key) => flags['include-sessions'] || !/,|^oidc:/.test(key)).sort();
      if (keys.length === 0) {
        this.log(`No credentials found in source backend ${from.name}.`);
        return;
      }
      this.log(`Would migrate ${keys.length} credential profile(s) from ${from.name} to ${to.name}:`);
      for (const key of keys) this.log(`  ${key}`);
      this.log('');
      this.log('No changes made.');
      return;
    }
    const summary = await migrateItems(from, to, {
      ...(flags.profile ? { keys: flags.profile } : {}),
      includeSessions: flags['include-sessions'],
      overwrite: flags.overwrite,
      deleteSource: flags['delete-source'],
      onItem: ({ key, outcome, deleted, error }) => {
        if (!outcome) process.stdout.write(`Migrating ${key}... `);
        else if (outcome === 'skipped') this.log('skipped, already exists in destination');
        else if (outcome === 'failed') {
          this.log(`failed: ${error?.message ?? 'unknown error'}`);
          this.log('Migration stopped. Source credentials were not deleted for the failed profile.');
        } else this.log(`${outcome}, verified${deleted ? ', deleted source' : ''}`);
      },
    });
    this.log('Migration summary:');
    this.log(`  copied: ${summary.copied}`);
    this.log(`  overwritten: ${summary.overwritten}`);
    this.log(`  skipped: ${summary.skipped}`);
    this.log(`  deleted from source: ${summary.deleted}`);
    if (summary.failed.length > 0) this.exit(1);
  }
}
