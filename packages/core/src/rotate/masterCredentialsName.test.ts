import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileConfig } from '../config/ProfileConfig.js';
import { masterCredentialsNameFor, profilesInChain } from './masterCredentialsName.js';

const profile = (name: string, sourceProfile?: ProfileConfig): ProfileConfig => ({
  name, hasSection: true, assumeRoleDuration: 3600, sessionTokenDuration: 3600, chainedSessionTokenDuration: 28800, federationTokenDuration: 3600, durationFromFlag: false, origins: {},
  ...(sourceProfile ? { sourceProfile, sourceProfileName: sourceProfile.name } : {}),
});

describe('masterCredentialsNameFor: the stored keys behind a profile', () => {
  const root = profile('root');
  const middle = profile('middle', root);
  const top = profile('top', middle);

  it('follows the whole source_profile chain (aws-vault stops after one level)', () => {
    assert.deepEqual(profilesInChain(top).map((p) => p.name), ['top', 'middle', 'root']);
    assert.equal(masterCredentialsNameFor(top, ['root']), 'root');
    assert.equal(masterCredentialsNameFor(top, new Set(['middle', 'root'])), 'middle', 'stored keys win over source_profile');
    assert.equal(masterCredentialsNameFor(top, ['top', 'root']), 'top');
  });

  it('names the profile and the chain when no keys are stored', () => {
    assert.throws(() => masterCredentialsNameFor(top, ['other']), {
      code: 'NO_CREDENTIALS',
      message: 'profile top: no stored long-term keys in its source_profile chain (top -> middle -> root)',
      hint: 'rotate needs an access key stored with `vault add root`',
    });
    assert.throws(() => masterCredentialsNameFor(root, []), { message: 'profile root: no stored long-term keys in the vault' });
  });
});
