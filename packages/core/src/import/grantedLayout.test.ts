import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { grantedFolder, grantedStore, parseGrantedKeyringConfig } from './grantedLayout.js';

describe('granted layout', () => {
  it('the folder is ~/.granted unless it is missing and XDG_CONFIG_HOME is set', () => {
    assert.equal(grantedFolder({}, '/h', () => false), '/h/.granted');
    assert.equal(grantedFolder({ XDG_CONFIG_HOME: '/x' }, '/h', () => false), '/x/granted');
    assert.equal(grantedFolder({ XDG_CONFIG_HOME: '/x' }, '/h', () => true), '/h/.granted');
  });

  it('reads the [Keyring] table of the TOML config, ignoring other tables', () => {
    const text = [
      'DefaultBrowser = "FIREFOX"',
      'FileDir = "/not/this/one"',
      '[Keyring]',
      'Backend = "file" # chosen',
      "filedir = '~/keys'",
      'LibSecretCollectionName = "c\\u00e9"',
      'PassDir = "/p"',
      '[SSO.x]',
      'Backend = "pass"',
    ].join('\n');
    assert.deepEqual(parseGrantedKeyringConfig(text), { backend: 'file', fileDir: '~/keys', libSecretCollectionName: 'cé', passDir: '/p' });
  });

  it('resolves the IAM store from the defaults and the config', () => {
    const home = mkdtempSync(join(tmpdir(), 'vault-granted-'));
    try {
      assert.deepEqual(grantedStore({}, home), {
        folder: join(home, '.granted'),
        backend: undefined,
        fileDir: join(home, '.granted', 'secure-storage-aws-iam-credentials'),
        passDir: undefined,
        passPrefix: 'granted-aws-iam-credentials',
        collection: 'granted-aws-iam-credentials',
        keychainName: 'login',
      });
      mkdirSync(join(home, '.granted'));
      writeFileSync(join(home, '.granted', 'config'), '[Keyring]\nBackend = "pass"\nFileDir = "~/k"\nPassDir = "~/p"\n');
      const store = grantedStore({}, home);
      assert.equal(store.backend, 'pass');
      assert.equal(store.fileDir, join(home, 'k'));
      assert.equal(store.passDir, join(home, 'p'));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
