import { Flags } from '@oclif/core';
import {
  askOnTerminal, configFilePaths, grantedStore, homeDirectory, importKeys, isCredentialsKey, isVaultError, migrateItems, parseSessionKey,
  readBackendKeys, readCredentialsFile, removeKeyLines, rewriteCredentialsFile, VaultError, type Backend, type ImportOutcome, type PlaintextKey,
} from '@awsvault/core';
import { confirmRemoval } from '../import/confirmRemoval.js';
import { itemLine, notImportedLine, summaryLine, type ImportSummary } from '../import/formatImport.js';
import { awsVaultSourceEnv, grantedSourceEnv, SOURCE_FLAG_ENV, SOURCE_PASSPHRASE_ENV, type SourceFlags } from '../import/sourceEnv.js';
import { storeIdentity } from '../import/storeIdentity.js';
import { selectBackend } from '../selectBackend.js';
import { BACKEND_FLAG_ENV, VaultCommand, type VaultFlags } from '../vaultCommand.js';

type ImportFlags = VaultFlags<typeof Import>;

export default class Import extends VaultCommand {
  static override summary = 'Import long-term keys from ~/.aws/credentials, an aws-vault store or granted.';
  static override description =
    'Moves IAM user access keys into the secret backend, stored as `vault add` stores them. From the plaintext credentials file it then offers to remove the imported keys (after a 0600 backup). Existing credentials are kept unless --force.';
  static override examples = [
    '<%= config.bin %> import --from aws-credentials --dry-run',
    '<%= config.bin %> import --from aws-credentials --remove-plaintext',
    '<%= config.bin %> import --from aws-vault --source-backend file --source-file-dir ~/old-keys',
    '<%= config.bin %> import --from granted --profile dev',
  ];
  static override flags = {
    from: Flags.string({ description: 'Where the keys are', options: ['aws-credentials', 'aws-vault', 'granted'], required: true }),
    profile: Flags.string({ description: 'Import only this profile (repeatable)', multiple: true }),
    'dry-run': Flags.boolean({ description: 'Show what would be imported or removed and change nothing', default: false }),
    force: Flags.boolean({ char: 'f', description: 'Replace credentials vault already stores for a profile', default: false }),
    'remove-plaintext': Flags.boolean({ description: 'aws-credentials: remove the imported keys from the file without asking', default: false, exclusive: ['keep-plaintext'] }),
    'keep-plaintext': Flags.boolean({ description: 'aws-credentials: leave the file as it is', default: false }),
    all: Flags.boolean({ description: 'aws-vault: also copy cached sessions and SSO tokens', default: false }),
    'source-backend': Flags.string({ description: 'aws-vault/granted: the backend their store is in (default: as aws-vault/granted pick it)' }),
    'source-file-dir': Flags.string({ description: 'Directory of the source file store' }),
    'source-pass-dir': Flags.string({ description: 'Password store directory of the source pass store' }),
    'source-pass-cmd': Flags.string({ description: 'pass executable for the source store' }),
    'source-pass-prefix': Flags.string({ description: 'Prefix of the source entries in pass' }),
    'source-secret-service-collection': Flags.string({ description: 'Secret Service collection of the source store' }),
    'source-keychain': Flags.string({ description: 'macOS keychain of the source store' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseVault(Import);
    if (flags.from === 'aws-credentials') return this.fromCredentialsFile(flags);
    for (const flag of ['remove-plaintext', 'keep-plaintext'] as const) {
      if (flags[flag]) throw new VaultError('IMPORT_FLAG_INVALID', `--${flag} applies only to --from aws-credentials`);
    }
    if (flags.from === 'aws-vault') return this.fromAwsVault(flags);
    return this.fromGranted(flags);
  }

  private async fromCredentialsFile(flags: ImportFlags): Promise<void> {
    if (flags.all) throw new VaultError('IMPORT_FLAG_INVALID', '--all applies only to --from aws-vault');
    const env = this.env();
    const path = configFilePaths(env, homeDirectory(env)).credentialsFile;
    const file = readCredentialsFile(path);
    const dryRun = flags['dry-run'];
    const wanted = flags.profile ? new Set(flags.profile) : undefined;
    for (const profile of wanted ?? []) {
      if (![...file.keys.map((k) => k.profile), ...file.temporary, ...file.incomplete].includes(profile)) {
        throw new VaultError('IMPORT_PROFILE_NOT_FOUND', `profile ${profile} has no access key in ${path}`);
      }
    }
    const pick = (profile: string) => wanted === undefined || wanted.has(profile);
    const keys = file.keys.filter((key) => pick(key.profile));
    const target = await this.openBackend(flags);
    this.log(`${dryRun ? 'Would import' : 'Importing'} from ${path} into ${target.name}:`);
    const notImported: string[] = [];
    for (const profile of file.temporary.filter(pick)) {
      this.log(notImportedLine(profile, 'it holds temporary credentials (aws_session_token)'));
      notImported.push(profile);
    }
    for (const profile of file.incomplete.filter(pick)) {
      this.log(notImportedLine(profile, 'it has only one of aws_access_key_id and aws_secret_access_key'));
      notImported.push(profile);
    }
    if (keys.length + notImported.length === 0) this.log('No access keys found.');
    const summary = await this.importAll(target, keys, flags, notImported);
    const moved = keys.filter((key) => !summary.skipped.includes(key.profile)).map((key) => key.profile);
    if (moved.length > 0) await this.removePlaintext(path, file.text, moved, flags);
    this.log(summaryLine(summary, target.name, dryRun));
  }

  /** Offers, or (with --remove-plaintext) does, the removal of the imported key lines. */
  private async removePlaintext(path: string, text: string, profiles: string[], flags: ImportFlags): Promise<void> {
    const names = profiles.join(', ');
    if (flags['keep-plaintext']) {
      this.log(`The keys of ${names} stay in ${path} (--keep-plaintext).`);
      return;
    }
    const next = removeKeyLines(text, profiles, path); // computed first: a file it cannot rewrite safely is never asked about
    if (flags['dry-run']) {
      this.log(`Would ${flags['remove-plaintext'] ? '' : 'offer to '}remove the keys of ${names} from ${path}, after writing a backup beside it.`);
      return;
    }
    if (!flags['remove-plaintext']) {
      const answer = await confirmRemoval(path, profiles, this.env());
      if (answer === 'no-terminal') {
        this.log(`The keys of ${names} stay in ${path}: no terminal to confirm their removal (--remove-plaintext removes them).`);
        return;
      }
      if (answer === 'no') {
        this.log(`The keys of ${names} stay in ${path}.`);
        return;
      }
    }
    const { backupPath } = rewriteCredentialsFile(path, text, next);
    this.log(`Removed the keys of ${names} from ${path}; the previous file is in ${backupPath} (mode 0600).`);
  }

  private async fromAwsVault(flags: ImportFlags): Promise<void> {
    const env = this.env();
    const home = homeDirectory(env);
    const dryRun = flags['dry-run'];
    const target = await this.openBackend(flags);
    const targetEnv = { ...env };
    for (const [flag, variable] of Object.entries(BACKEND_FLAG_ENV)) {
      const value = flags[flag as keyof typeof BACKEND_FLAG_ENV];
      if (value) targetEnv[variable] = value;
    }
    const sourceEnv = awsVaultSourceEnv(env, sourceFlags(flags));
    const source = await this.openSource(flags['source-backend'] ?? env['AWS_VAULT_BACKEND'], sourceEnv);
    const from = storeIdentity(source.name, sourceEnv, home);
    const to = storeIdentity(target.name, targetEnv, home);
    if (from.id === to.id) {
      this.log(`The aws-vault store (${from.description}) is the store vault uses: nothing to import.`);
      return;
    }
    const available = (await source.keys()).sort();
    for (const profile of flags.profile ?? []) {
      if (!available.includes(profile)) throw new VaultError('IMPORT_PROFILE_NOT_FOUND', `profile ${profile} not found in the aws-vault ${from.description}`);
    }
    const wanted = flags.profile ? new Set(flags.profile) : undefined;
    const keys = available.filter((key) => {
      if (isCredentialsKey(key)) return wanted === undefined || wanted.has(key);
      if (!flags.all) return false;
      const session = parseSessionKey(key);
      return wanted === undefined || (session !== undefined && wanted.has(session.profileName));
    });
    // One read before anything is written: a wrong passphrase or a locked store is one error line, not a failed copy.
    if (keys[0] !== undefined) await passphraseChecked(source.get(keys[0]), `set ${SOURCE_PASSPHRASE_ENV} (or AWS_VAULT_FILE_PASSPHRASE) to the aws-vault store's passphrase`);
    this.log(`${dryRun ? 'Would import' : 'Importing'} from the aws-vault ${from.description} into ${to.description}:`);
    if (keys.length === 0) this.log(`No ${flags.all ? 'items' : 'long-term credentials'} found.`);
    const summary: ImportSummary & { failed: string[] } = { imported: 0, overwritten: 0, skipped: [], notImported: [], failed: [] };
    if (dryRun) {
      const existing = new Set(await target.keys());
      for (const key of keys) {
        const outcome: ImportOutcome = !existing.has(key) ? 'imported' : flags.force ? 'overwritten' : 'skipped';
        this.count(summary, key, outcome);
        this.log(itemLine(key, outcome, true));
      }
    } else {
      // The aws-vault items are copied byte for byte and each copy read back, as migrate-backend does.
      await migrateItems(source, target, {
        keys,
        includeSessions: flags.all,
        overwrite: flags.force,
        onItem: ({ key, outcome, error }) => {
          if (!outcome) return;
          if (outcome === 'failed') {
            summary.failed.push(key);
            this.log(`${key}: failed, ${error?.message ?? 'unknown error'}; nothing after it was imported`);
            return;
          }
          const mapped: ImportOutcome = outcome === 'copied' ? 'imported' : outcome;
          this.count(summary, key, mapped);
          this.log(itemLine(key, mapped, false));
        },
      });
    }
    this.log(summaryLine(summary, target.name, dryRun));
    if (summary.failed.length > 0) this.exit(1);
  }

  private async fromGranted(flags: ImportFlags): Promise<void> {
    if (flags.all) throw new VaultError('IMPORT_FLAG_INVALID', '--all applies only to --from aws-vault');
    const env = this.env();
    const home = homeDirectory(env);
    const granted = grantedStore(env, home);
    const requested = flags['source-backend'] ?? granted.backend;
    const sourceEnv = grantedSourceEnv(env, granted, sourceFlags(flags));
    const source = await this.openSource(requested, sourceEnv);
    const where = `granted's ${storeIdentity(source.name, sourceEnv, home).description}`;
    const found = await passphraseChecked(readBackendKeys(source, where, flags.profile), `set CF_KEYRING_FILE_PASSWORD (or ${SOURCE_PASSPHRASE_ENV}) to granted's passphrase`);
    const target = await this.openBackend(flags);
    const dryRun = flags['dry-run'];
    this.log(`${dryRun ? 'Would import' : 'Importing'} from ${where} into ${target.name}:`);
    if (found.keys.length + found.temporary.length === 0) this.log('No IAM credentials found.');
    for (const profile of found.temporary) this.log(notImportedLine(profile, 'it holds temporary credentials (a session token)'));
    const summary = await this.importAll(target, found.keys, flags, found.temporary);
    this.log(summaryLine(summary, target.name, dryRun));
  }

  private async importAll(target: Backend, keys: PlaintextKey[], flags: ImportFlags, notImported: string[]): Promise<ImportSummary> {
    const dryRun = flags['dry-run'];
    const summary: ImportSummary = { imported: 0, overwritten: 0, skipped: [], notImported };
    await importKeys(target, keys, {
      force: flags.force,
      dryRun,
      debug: this.debugLog,
      onItem: (key, outcome) => {
        this.count(summary, key.profile, outcome);
        this.log(itemLine(key, outcome, dryRun));
      },
    });
    return summary;
  }

  private count(summary: ImportSummary, name: string, outcome: ImportOutcome): void {
    if (outcome === 'skipped') summary.skipped.push(name);
    else summary[outcome]++;
  }

  /** Opens another tool's store with its own settings; the file backend asks for that store's passphrase if none is set. */
  private async openSource(name: string | undefined, env: Record<string, string | undefined>): Promise<Backend> {
    return selectBackend(
      await this.registry(),
      name,
      { env, homeDir: homeDirectory(env), askPassphrase: (message) => askOnTerminal(message, { secret: true }), debug: this.debugLog },
      this.debugLog,
    );
  }
}

function sourceFlags(flags: ImportFlags): SourceFlags {
  const out: SourceFlags = {};
  for (const flag of Object.keys(SOURCE_FLAG_ENV) as Array<keyof SourceFlags>) if (flags[flag]) out[flag] = flags[flag];
  return out;
}

/** A source file store's wrong passphrase, with a hint naming the variable for that store (not vault's own). */
async function passphraseChecked<T>(work: Promise<T>, hint: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isVaultError(error) && error.code === 'FILE_DECRYPT_FAILED') throw new VaultError('FILE_DECRYPT_FAILED', error.message, { hint });
    throw error;
  }
}
