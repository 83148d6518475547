import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CredentialStore, formatSessionKey } from '@awsvault/core';
import { ptyAvailable, runInPty } from '@awsvault/core/testing';
import { openFileBackend } from '@awsvault/plugin-backend-file';
import type { CreatedUser } from '../emulator/state.js';
import { createPassStore, type PassStore } from '../helpers/passStore.js';
import { repoRoot, vaultBin } from '../helpers/paths.js';
import { assertOneLineError, runAws, type RunResult } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { fileStoreOf, inspectFileStore } from '../helpers/storeCheck.js';
import { snapshotDir } from '../helpers/snapshotDir.js';

const mask = (accessKeyId: string) => `****************${accessKeyId.slice(-4)}`;

function ok(r: RunResult): void {
  assert.equal(r.code, 0, `exit code\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.equal(r.stderr, '');
}

describe('vault import', { timeout: 180_000 }, () => {
  let s: Scenario;
  let bob: CreatedUser;
  let carol: CreatedUser;
  let credentialsFile: string;
  let original: string;
  /** The credentials file once bob's and carol's keys are gone: every other byte as it was. */
  let expectedAfterRemoval: string;

  /** `vault export --format=json`: a GetSessionToken the emulator accepts only if signed with the user's real keys. */
  const exportsAs = async (profile: string, user: CreatedUser) => {
    const r = await s.vault(['export', '--format=json', profile]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string };
    assert.ok(out.SessionToken, 'a session from the emulator');
    // The real AWS CLI with that session: the emulator names the user whose keys were imported.
    const who = await runAws(['sts', 'get-caller-identity'], { ...s.home.env, AWS_ACCESS_KEY_ID: out.AccessKeyId, AWS_SECRET_ACCESS_KEY: out.SecretAccessKey, AWS_SESSION_TOKEN: out.SessionToken, AWS_REGION: 'us-east-1' }, s.emulator.url);
    assert.equal(who.code, 0, who.stderr);
    assert.match((JSON.parse(who.stdout) as { Arn: string }).Arn, new RegExp(`:user/${user.userName}$`));
  };

  before(async () => {
    s = await startScenario();
    bob = s.emulator.state.createUser('bob');
    carol = s.emulator.state.createUser('carol');
    const profiles = ['dev', 'bob', 'carol', 'dan', 'erin', 'frank'];
    s.home.writeConfig(profiles.map((p) => `[profile ${p}]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n`).join('\n'));
    credentialsFile = s.home.env['AWS_SHARED_CREDENTIALS_FILE'] ?? '';
    const keep = (lines: string[]) => lines.join('\n');
    const head = keep(['# keys of the team', '[default]', 'region = eu-west-1 ; the default region', '']);
    const bobSection = keep(['[bob]', `aws_access_key_id = ${bob.accessKeyId}`, 'output = json', `aws_secret_access_key = ${bob.secretAccessKey}`, '']);
    const temp = keep(['; copied from the console', '[temp]', `aws_access_key_id = ${s.emulator.state.createUser('tina').accessKeyId}`, 'aws_secret_access_key = not-long-term', 'aws_session_token = FwoGZXIvYXdzEXAMPLETOKEN', '']);
    const carolHead = '[carol]\n';
    const carolKeys = `aws_access_key_id=${carol.accessKeyId}\naws_secret_access_key=${carol.secretAccessKey}\n`;
    const tail = '# the end, no newline after this';
    original = `${head}\n${bobSection}\n${temp}\n${carolHead}${carolKeys}\n${tail}`;
    expectedAfterRemoval = `${head}\n[bob]\noutput = json\n\n${temp}\n\n${tail}`;
    writeFileSync(credentialsFile, original, { mode: 0o600 });
  });

  after(async () => {
    await s?.close();
  });

  it('--dry-run lists what would happen and changes neither the file nor the store', async () => {
    const keysBefore = snapshotDir(s.home.keysDir);
    const r = await s.vault(['import', '--from', 'aws-credentials', '--dry-run']);
    ok(r);
    assert.equal(
      r.stdout,
      `Would import from ${credentialsFile} into file:\n` +
        'temp: not imported, it holds temporary credentials (aws_session_token)\n' +
        `bob (${mask(bob.accessKeyId)}): would import\n` +
        `carol (${mask(carol.accessKeyId)}): would import\n` +
        `Would offer to remove the keys of bob, carol from ${credentialsFile}, after writing a backup beside it.\n` +
        'Dry run, nothing changed: 2 to import, 0 to replace, 0 skipped, 1 not importable (temp).\n',
    );
    // Plain substring checks: a secret may hold regex characters such as '+'.
    assert.ok(!r.stdout.includes(bob.accessKeyId), 'no key id in clear');
    assert.ok(!r.stdout.includes(bob.secretAccessKey), 'no secret');
    assert.equal(readFileSync(credentialsFile, 'utf8'), original);
    assert.deepEqual(snapshotDir(s.home.keysDir), keysBefore);
    assert.deepEqual((await (await fileStoreOf(s.home.env, s.home.dir)).keys()).sort(), ['dev']);
    const remove = await s.vault(['import', '--from', 'aws-credentials', '--dry-run', '--remove-plaintext']);
    ok(remove);
    assert.match(remove.stdout, /^Would remove the keys of bob, carol from .*, after writing a backup beside it\.$/m);
    assert.equal(readFileSync(credentialsFile, 'utf8'), original);
    assert.deepEqual(readdirSync(join(s.home.dir, '.aws')).sort(), ['config', 'credentials']);
  });

  it('imports both key profiles; without a terminal the plaintext file is kept byte for byte', async () => {
    const r = await s.vault(['import', '--from', 'aws-credentials']);
    ok(r);
    assert.match(r.stdout, new RegExp(`^bob \\(\\*{16}${bob.accessKeyId.slice(-4)}\\): imported$`, 'm'));
    assert.match(r.stdout, /^The keys of bob, carol stay in .*: no terminal to confirm their removal \(--remove-plaintext removes them\)\.$/m);
    assert.match(r.stdout, /Import into file done: 2 imported, 0 replaced, 0 skipped, 1 not importable \(temp\)\.\n$/);
    assert.equal(readFileSync(credentialsFile, 'utf8'), original);
    const store = await inspectFileStore(s.home.env, s.home.dir);
    assert.deepEqual([...store.credentials.keys()].sort(), ['bob', 'carol', 'dev']);
    assert.deepEqual(store.credentials.get('bob'), { accessKeyId: bob.accessKeyId, secretAccessKey: bob.secretAccessKey });
    await exportsAs('bob', bob);
    await exportsAs('carol', carol);
  });

  it('existing profiles are skipped and named; --force replaces them', async () => {
    const again = await s.vault(['import', '--from', 'aws-credentials', '--keep-plaintext']);
    ok(again);
    assert.match(again.stdout, /^bob \(.*\): skipped, vault already has bob \(--force replaces it\)$/m);
    assert.match(again.stdout, /: 0 imported, 0 replaced, 2 skipped \(already in vault: bob, carol\), 1 not importable \(temp\)\.\n$/);
    // A wrong key stored for carol: --force puts the file's key back.
    await new CredentialStore(await fileStoreOf(s.home.env, s.home.dir)).set('carol', { accessKeyId: bob.accessKeyId, secretAccessKey: 'wrong' });
    const forced = await s.vault(['import', '--from', 'aws-credentials', '--profile', 'carol', '--force', '--keep-plaintext']);
    ok(forced);
    assert.match(forced.stdout, /^carol \(.*\): replaced$/m);
    assert.match(forced.stdout, /^The keys of carol stay in .* \(--keep-plaintext\)\.$/m);
    assert.equal(readFileSync(credentialsFile, 'utf8'), original);
    await exportsAs('carol', carol);
  });

  it('an unknown --profile is one error line naming it and the file', async () => {
    const r = await s.vault(['import', '--from', 'aws-credentials', '--profile', 'nope']);
    assertOneLineError(r, new RegExp(`^vault: error: profile nope has no access key in ${credentialsFile}$`));
  });

  it('on a terminal it asks before removing: "n" keeps the file, "y" removes the keys', { skip: !ptyAvailable() && 'needs python3 with the pty module' }, async () => {
    const vars = Object.entries(s.home.env).map(([k, v]) => `${k}=${v}`);
    const argv = ['/usr/bin/env', '-i', ...vars, '/bin/sh', '-c', 'exec "$@" 0<&-', 'sh', process.execPath, vaultBin, 'import', '--from', 'aws-credentials', '--force'];
    const question = `Remove the keys of bob, carol from ${credentialsFile}? A backup is written first. (y|N) `;
    const no = await runInPty(argv, [{ waitFor: question, pauseMs: 50, send: 'n\r' }], 30_000);
    assert.equal(no.timedOut, false, `terminal: ${JSON.stringify(no.transcript)} stderr: ${no.stderr}`);
    assert.equal(no.exitCode, 0, no.stderr);
    assert.match(no.stdout, /^The keys of bob, carol stay in .*\.$/m);
    assert.equal(readFileSync(credentialsFile, 'utf8'), original);
    assert.deepEqual(readdirSync(join(s.home.dir, '.aws')).sort(), ['config', 'credentials']);
    const yes = await runInPty(argv, [{ waitFor: question, pauseMs: 50, send: 'y\r' }], 30_000);
    assert.equal(yes.exitCode, 0, yes.stderr);
    const backup = /the previous file is in (.+) \(mode 0600\)\.$/m.exec(yes.stdout)?.[1] ?? '';
    assert.equal(readFileSync(backup, 'utf8'), original);
    assert.equal(readFileSync(credentialsFile, 'utf8'), expectedAfterRemoval);
    // Put the file back for the next case.
    writeFileSync(credentialsFile, original, { mode: 0o600 });
    rmSync(backup);
  });

  it('--remove-plaintext removes only the imported key lines, after a 0600 backup', async () => {
    const r = await s.vault(['import', '--from', 'aws-credentials', '--force', '--remove-plaintext']);
    ok(r);
    const backup = /the previous file is in (.+) \(mode 0600\)\.$/m.exec(r.stdout)?.[1] ?? '';
    assert.ok(backup.startsWith(`${credentialsFile}.vault-backup-`), r.stdout);
    assert.equal(readFileSync(backup, 'utf8'), original);
    assert.equal(statSync(backup).mode & 0o777, 0o600);
    assert.equal(readFileSync(credentialsFile, 'utf8'), expectedAfterRemoval);
    assert.equal(statSync(credentialsFile).mode & 0o777, 0o600);
    await exportsAs('bob', bob);
  });

  describe('from an aws-vault store', () => {
    let dan: CreatedUser;
    const oldDir = () => join(s.home.dir, 'old-aws-vault-keys');

    before(async () => {
      dan = s.emulator.state.createUser('dan');
      // aws-vault's file store in its own directory under another passphrase, written by vault's file backend.
      const old = await openFileBackend(
        { env: { AWS_VAULT_FILE_DIR: oldDir(), AWS_VAULT_FILE_PASSPHRASE: 'old passphrase' }, homeDir: s.home.dir, askPassphrase: () => Promise.reject(new Error('set')), debug: () => {} },
        { p2c: 1000 },
      );
      await new CredentialStore(old).set('dan', { accessKeyId: dan.accessKeyId, secretAccessKey: dan.secretAccessKey });
      const session = formatSessionKey({ type: 'sts.GetSessionToken', profileName: 'dan', detail: '', expiry: Math.trunc(Date.now() / 1000) + 3600 });
      await old.set({ key: session, data: new TextEncoder().encode('{"AccessKeyID":"x","SecretAccessKey":"y","SessionToken":"z","Expiration":"2099-01-01T00:00:00Z"}') });
    });

    it('with the same settings as vault it is the same store: nothing to do', async () => {
      const before = snapshotDir(s.home.keysDir);
      const r = await s.vault(['import', '--from', 'aws-vault']);
      ok(r);
      assert.equal(r.stdout, `The aws-vault store (file store ${s.home.keysDir}) is the store vault uses: nothing to import.\n`);
      assert.deepEqual(snapshotDir(s.home.keysDir), before);
    });

    it('copies the master keys only (sessions with --all), from its own directory and passphrase', async () => {
      const env = { VAULT_SOURCE_FILE_PASSPHRASE: 'old passphrase' };
      const args = ['import', '--from', 'aws-vault', '--source-backend', 'file', '--source-file-dir', oldDir()];
      const dry = await s.vault([...args, '--dry-run'], env);
      ok(dry);
      assert.equal(dry.stdout, `Would import from the aws-vault file store ${oldDir()} into file store ${s.home.keysDir}:\ndan: would import\nDry run, nothing changed: 1 to import, 0 to replace, 0 skipped.\n`);
      assert.equal((await inspectFileStore(s.home.env, s.home.dir)).credentials.has('dan'), false);
      const wrong = await s.vault(args, { VAULT_SOURCE_FILE_PASSPHRASE: 'nope' });
      assertOneLineError(wrong, /^vault: error: cannot decrypt .*old-aws-vault-keys\/dan: wrong passphrase .*\(set VAULT_SOURCE_FILE_PASSPHRASE/);
      const r = await s.vault(args, env);
      ok(r);
      assert.match(r.stdout, /^dan: imported\nImport into file done: 1 imported, 0 replaced, 0 skipped\.\n$/m);
      const store = await inspectFileStore(s.home.env, s.home.dir);
      assert.equal(store.sessions.filter((key) => key.includes(Buffer.from('dan').toString('base64url'))).length, 0, 'no session without --all');
      await exportsAs('dan', dan);
      const all = await s.vault([...args, '--all'], env);
      ok(all);
      assert.match(all.stdout, /^dan: skipped, vault already has dan/m);
      assert.match(all.stdout, /^sts\.GetSessionToken,ZGFu,,\d+: imported$/m);
    });

    it('reads a pass store', async () => {
      const erin = s.emulator.state.createUser('erin');
      mkdirSync(join(s.home.dir, 'pass'));
      let pass: PassStore | undefined;
      try {
        pass = await createPassStore(join(s.home.dir, 'pass'), s.home.env);
        // Linking is for the rest of this HOME's life: later runs must not get oclif's linked-plugin warning either.
        s.home.env['OCLIF_DISABLE_LINKED_ESM_WARNING'] = '1';
        const env = pass.env;
        const cli = JSON.parse(readFileSync(join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8')) as { oclif?: { plugins?: string[] } };
        if (!cli.oclif?.plugins?.includes('@awsvault/plugin-backend-pass')) {
          const linked = await s.vault(['plugins', 'link', '--no-install', join(repoRoot, 'plugins', 'backend-pass')], env);
          assert.equal(linked.code, 0, linked.stderr);
        }
        // aws-vault's pass layout under its usual prefix, written through vault's pass backend.
        const added = await s.vault(['add', '--env', '--no-add-config', '--backend', 'pass', '--pass-prefix', 'aws-vault', 'erin'], {
          ...env,
          AWS_ACCESS_KEY_ID: erin.accessKeyId,
          AWS_SECRET_ACCESS_KEY: erin.secretAccessKey,
        });
        assert.equal(added.code, 0, added.stderr);
        assert.deepEqual(pass.entries(), ['aws-vault/erin']);
        const r = await s.vault(['import', '--from', 'aws-vault', '--source-backend', 'pass', '--source-pass-dir', pass.storeDir, '--source-pass-prefix', 'aws-vault'], env);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^erin: imported$/m);
        await exportsAs('erin', erin);
      } finally {
        await pass?.stop();
      }
    });
  });

  it("imports granted's IAM keys from its file store and leaves its temporary credentials", async () => {
    const frank = s.emulator.state.createUser('frank');
    const dir = join(s.home.dir, '.granted', 'secure-storage-aws-iam-credentials');
    // granted's layout: one JWE per profile under CF_KEYRING_FILE_PASSWORD, holding the Go SDK's aws.Credentials JSON.
    const granted = await openFileBackend(
      { env: { AWS_VAULT_FILE_DIR: dir, AWS_VAULT_FILE_PASSPHRASE: 'granted pw' }, homeDir: s.home.dir, askPassphrase: () => Promise.reject(new Error('set')), debug: () => {} },
      { p2c: 1000 },
    );
    const goCredentials = (id: string, secret: string, token: string) =>
      new TextEncoder().encode(JSON.stringify({ AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Source: '', CanExpire: false, Expires: '0001-01-01T00:00:00Z', AccountID: '' }));
    await granted.set({ key: 'frank', data: goCredentials(frank.accessKeyId, frank.secretAccessKey, '') });
    await granted.set({ key: 'gina', data: goCredentials(frank.accessKeyId, 'x', 'a-session-token') });
    const wrong = await s.vault(['import', '--from', 'granted'], { CF_KEYRING_FILE_PASSWORD: 'nope' });
    assertOneLineError(wrong, /^vault: error: cannot decrypt .*secure-storage-aws-iam-credentials\/\w+: wrong passphrase.*\(set CF_KEYRING_FILE_PASSWORD/);
    const r = await s.vault(['import', '--from', 'granted'], { CF_KEYRING_FILE_PASSWORD: 'granted pw' });
    ok(r);
    assert.equal(
      r.stdout,
      `Importing from granted's file store ${dir} into file:\n` +
        'gina: not imported, it holds temporary credentials (a session token)\n' +
        `frank (${mask(frank.accessKeyId)}): imported\n` +
        'Import into file done: 1 imported, 0 replaced, 0 skipped, 1 not importable (gina).\n',
    );
    await exportsAs('frank', frank);
  });
});
