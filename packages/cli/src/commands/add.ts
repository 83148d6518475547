import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { askOnTerminal, CredentialStore, isVaultError, SessionStore, VaultError } from '@awsvault/core';
import { VaultCommand } from '../vaultCommand.js';

export default class Add extends VaultCommand {
  static override summary = 'Add credentials to the secure keystore.';
  static override description = 'Stores an access key for the profile in the secret backend. Keys are read from the terminal (the secret without echo), or with --env from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';
  static override examples = ['<%= config.bin %> add dev', 'AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... <%= config.bin %> add --env dev'];
  static override args = { profile: Args.string({ description: 'Name of the profile', required: true }) };
  static override flags = {
    env: Flags.boolean({ description: 'Read the credentials from the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)', default: false }),
    'add-config': Flags.boolean({ description: "Add a profile to ~/.aws/config if one doesn't exist", default: true, allowNo: true }),
    force: Flags.boolean({ char: 'f', description: 'Replace stored credentials without asking', default: false }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parseVault(Add);
    const name = args.profile;
    const config = this.awsConfig();
    const section = config.profiles.get(name);
    const source = section?.entries.get('source_profile')?.value;
    if (source && source !== name) {
      throw new VaultError('ADD_SOURCE_PROFILE', `profile ${name} has a source_profile of ${source}; credentials added to ${name} would not be used`, { hint: `add them to ${source} instead` });
    }
    const env = this.env();
    let accessKeyId: string;
    let secretAccessKey: string;
    if (flags.env) {
      accessKeyId = env['AWS_ACCESS_KEY_ID'] ?? '';
      secretAccessKey = env['AWS_SECRET_ACCESS_KEY'] ?? '';
      if (!accessKeyId) throw new VaultError('ADD_MISSING_KEY', 'Missing value for AWS_ACCESS_KEY_ID');
      if (!secretAccessKey) throw new VaultError('ADD_MISSING_KEY', 'Missing value for AWS_SECRET_ACCESS_KEY');
    } else {
      accessKeyId = await askOnTerminal('Enter Access Key ID: ');
      secretAccessKey = await askOnTerminal('Enter Secret Access Key: ', { secret: true });
      if (!accessKeyId || !secretAccessKey) throw new VaultError('ADD_MISSING_KEY', `profile ${name}: an access key id and a secret access key are both needed`);
    }

    const backend = await this.openBackend(flags);
    const store = new CredentialStore(backend);
    if (!flags.force && (await store.has(name))) await this.confirmOverwrite(name);
    await store.set(name, { accessKeyId, secretAccessKey });
    this.log(`Added credentials to profile "${name}" in vault`);
    const deleted = await new SessionStore(backend, { debug: this.debugLog }).removeForProfile(name);
    if (deleted > 0) this.log(`Deleted ${deleted} existing sessions.`);

    if (flags['add-config'] && !config.profiles.has(name)) {
      appendProfileSection(config.paths.configFile, name);
      this.debugLog(`added [${name === 'default' ? 'default' : `profile ${name}`}] to ${config.paths.configFile}`);
    }
  }

  private async confirmOverwrite(name: string): Promise<void> {
    let answer: string;
    try {
      answer = await askOnTerminal(`Credentials for profile "${name}" exist. Overwrite? (y|N) `);
    } catch (error) {
      if (isVaultError(error) && error.code === 'NO_TERMINAL') {
        throw new VaultError('ADD_EXISTS', `profile ${name} already has stored credentials`, { hint: 'use --force to replace them' });
      }
      throw error;
    }
    if (!/^(y|yes)$/i.test(answer)) throw new VaultError('ADD_EXISTS', `profile ${name}: kept the stored credentials`, { exitCode: 1 });
  }
}

/** Appends `[profile x]` to the config, leaving every existing byte as it was (aws-vault rewrites the file). */
function appendProfileSection(path: string, name: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const header = name === 'default' ? '[default]' : `[profile ${name}]`;
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const separator = existing === '' ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  appendFileSync(path, `${separator}${header}\n`, { mode: 0o600 });
}
