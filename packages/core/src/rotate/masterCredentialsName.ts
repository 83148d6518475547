import type { ProfileConfig } from '../config/ProfileConfig.js';
import { VaultError } from '../errors.js';

/** The profile and its `source_profile` chain, target first. @public */
export function profilesInChain(profile: ProfileConfig): ProfileConfig[] {
  const chain: ProfileConfig[] = [];
  for (let p: ProfileConfig | undefined = profile; p; p = p.sourceProfile) chain.push(p);
  return chain;
}

/**
 * The name of the stored long-term keys a profile's credentials come from: the first profile of
 * its `source_profile` chain that has stored keys, as the provider chain picks them (stored keys
 * win over `source_profile`). aws-vault looks only one level deep (Appendix A item 7); vault
 * follows the whole chain. @public
 */
export function masterCredentialsNameFor(profile: ProfileConfig, storedKeys: ReadonlySet<string> | readonly string[]): string {
  const stored = storedKeys instanceof Set ? storedKeys : new Set(storedKeys as readonly string[]);
  const chain = profilesInChain(profile);
  const found = chain.find((p) => stored.has(p.name));
  if (found) return found.name;
  const names = chain.map((p) => p.name);
  const last = names[names.length - 1] ?? profile.name;
  throw new VaultError('NO_CREDENTIALS', `profile ${profile.name}: no stored long-term keys in ${names.length > 1 ? `its source_profile chain (${names.join(' -> ')})` : 'the vault'}`, {
    hint: `rotate needs an access key stored with \`vault add ${last}\``,
  });
}
