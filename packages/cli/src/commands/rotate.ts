import { Args, Flags } from '@oclif/core';
import {
  chainNeedsMfa, clientConfigFor, CredentialStore, loadIam, loadSts, masterCredentialsNameFor, parseGoDuration, profilesInChain, providerForProfile,
  resolveProfile, rotateAccessKey, SessionStore, startWaitIndicator, VaultError, type Backend, type CredentialProvider,
} from '@awsvault/core';
import { VaultCommand } from '../vaultCommand.js';

export default class Rotate extends VaultCommand {
  static override summary = 'Rotate credentials.';
  static override description =
    "Creates a new access key for the IAM user whose key is stored for the profile (found through its source_profile chain), waits until the new key works, stores it, deletes the chain's cached sessions, then deletes the old key with credentials made from the new one. If a step fails, a working key stays stored and the error says which key is live.";
  static override examples = ['<%= config.bin %> rotate dev', '<%= config.bin %> rotate --no-session dev', '<%= config.bin %> rotate -t 123456 admin'];
  static override args = {
    profile: Args.string({ description: 'Name of the profile', required: true }),
  };
  static override flags = {
    'no-session': Flags.boolean({ char: 'n', description: 'Use master credentials, no session or role used', default: false }),
    'mfa-token': Flags.string({ char: 't', description: 'The MFA token to use' }),
    'key-wait': Flags.string({ description: 'How long to wait for the new key to work, as a duration', default: '20s', hidden: true }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parseVault(Rotate);
    const env = this.env();
    const name = args.profile;
    const timeoutMs = parseGoDuration(flags['key-wait']);
    if (timeoutMs === undefined || timeoutMs < 0) throw new VaultError('FLAG_INVALID', `--key-wait ${flags['key-wait']} is not a duration`, { hint: 'use a unit, such as 20s' });
    const config = this.awsConfig();
    const mfaToken = flags['mfa-token'] ? { mfaToken: flags['mfa-token'] } : {};
    const profile = resolveProfile(config, name, { env, ...mfaToken });

    let backend: Backend;
    let sessionProvider: CredentialProvider | undefined;
    if (flags['no-session']) {
      backend = await this.openBackend(flags);
    } else {
      // IAM refuses GetSessionToken sessions made without MFA, so the target primes no session without one.
      const built = await this.profileProvider(name, flags, { useCache: false, ...(profile.mfaSerial ? {} : { noSessionForProfile: name }) });
      backend = built.backend;
      sessionProvider = built.provider;
    }
    const keys = await backend.keys();
    if (!profile.hasSection && !keys.includes(name)) {
      throw new VaultError('PROFILE_NOT_FOUND', `profile ${name} not found in ${config.paths.configFile} and no stored credentials exist for it`, { hint: `see \`vault list\`` });
    }
    const masterName = masterCredentialsNameFor(profile, keys);
    const chain = profilesInChain(profile);
    const upToMaster = chain.slice(0, chain.findIndex((p) => p.name === masterName) + 1);
    const roleArn = flags['no-session'] ? undefined : upToMaster.find((p) => p.roleArn)?.roleArn;
    const store = new CredentialStore(backend);
    const sessions = new SessionStore(backend, { debug: this.debugLog });
    const needsMfa = chainNeedsMfa(profile, masterName);
    if (!flags['no-session']) {
      this.debugLog(needsMfa
        ? `profile ${name}: the chain needs MFA, so the new key itself will delete the old one (a second MFA code would be refused as a replay)`
        : `profile ${name}: the old key will be deleted through the chain, rebuilt on the new key`);
    }

    await rotateAccessKey({
      profileName: name,
      masterName,
      noSession: flags['no-session'],
      ...(roleArn ? { roleArn } : {}),
      waitIndicator: (message) => startWaitIndicator(process.stderr, message),
      readKey: () => store.get(masterName),
      storeKey: (key) => store.set(masterName, key),
      sessionCredentials: sessionProvider ?? (() => store.get(masterName)),
      ...(sessionProvider && !needsMfa
        ? {
            chainFromNewKey: async () => {
              const provider = await providerForProfile(profile, {
                backend,
                env,
                mfaPrompt: await this.mfaPrompt(flags),
                debug: this.debugLog,
                useCache: false,
                ...(profile.mfaSerial ? {} : { noSessionForProfile: name }),
                configFiles: [config.paths.configFile, config.paths.credentialsFile],
              });
              return provider();
            },
          }
        : {}),
      clearSessions: async () => {
        const counts: Array<{ profileName: string; count: number }> = [];
        for (const p of chain) counts.push({ profileName: p.name, count: await sessions.removeForProfile(p.name) });
        return counts;
      },
      iam: (credentials) => loadIam(clientConfigFor('iam', profile, env), credentials),
      sts: (credentials) => loadSts(clientConfigFor('sts', profile, env), credentials),
      print: (line) => this.log(line),
      warn: (line) => process.stderr.write(`${line}\n`),
      debug: this.debugLog,
      keyWait: { timeoutMs },
    });
  }
}
