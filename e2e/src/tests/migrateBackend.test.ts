import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Item } from '@awsvault/core';
import { OidcTokenStore, parseSessionKey } from '@awsvault/core';
import { openFileBackend } from '@awsvault/plugin-backend-file';
import type { CreatedUser } from '../emulator/state.js';
import { createPassStore, type PassStore } from '../helpers/passStore.js';
import { awsBin, repoRoot } from '../helpers/paths.js';
import { assertOneLineError, type RunResult } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { startSecretService, type SecretService } from '../helpers/secretService.js';
import { snapshotDir } from '../helpers/snapshotDir.js';

const PROFILES = ['ci', 'dev', 'ops'] as const;
const START_URL = 'https://x.awsapps.com/start';
const OIDC_KEY = `oidc:${START_URL}`;
const COLLECTION = 'vault-e2e';

interface Summary {
  copied: number;
  overwritten: number;
  skipped: number;
  deleted: number;
}

/** migrate-backend's stdout: one `Migrating <key>... <result>` line per item, then the summary. */
function migrationOutput(rows: Array<[key: string, result: string]>, summary: Summary): string {
  return (
    rows.map(([key, result]) => `Migrating ${key}... ${result}\n`).join('') +
    'Migration summary:\n' +
    `  copied: ${summary.copied}\n  overwritten: ${summary.overwritten}\n  skipped: ${summary.skipped}\n  deleted from source: ${summary.deleted}\n`
  );
}

function assertSucceeded(r: RunResult, stdout: string): void {
  assert.equal(r.code, 0, `exit code\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.equal(r.stdout, stdout);
  assert.equal(r.stderr, '');
}

describe('vault migrate-backend across file, pass and secret-service', { timeout: 120_000 }, () => {
  let s: Scenario;
  let users: Record<(typeof PROFILES)[number], CreatedUser>;
  let pass: PassStore;
  let ss: SecretService;
  let sessionKey: string;
  /** Every key of the original store, sorted as migrate-backend sorts them. */
  let allKeys: string[];
  /** The decrypted items of the original file store, by key. */
  let originals: Map<string, Item>;
  /** `vault export --no-session --format=json <profile>` before any migration. */
  const exported = new Map<string, string>();
  /** The first store's files, to show that nothing but reads ever touched it. */
  let originalFiles: Record<string, string>;
  /** The file store the last migration fills (a second AWS_VAULT_FILE_DIR). */
  let finalDir: string;
  const toFinal = () => ({ AWS_VAULT_FILE_DIR: finalDir });

  /** The file backend as vault opens it (AWS_VAULT_FILE_DIR / HOME and the passphrase from the env). */
  const fileStore = (extraEnv: Record<string, string> = {}) => {
    const env = { ...s.home.env, ...extraEnv };
    return openFileBackend({
      env,
      homeDir: s.home.dir,
      askPassphrase: () => Promise.reject(new Error('the passphrase comes from AWS_VAULT_FILE_PASSPHRASE')),
      debug: () => {},
    });
  };
  const vaultList = async (backend: string, extraEnv: Record<string, string> = {}) => {
    const r = await s.vault(['list', '--json', '--backend', backend], extraEnv);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { credentials: string[]; sessions: Array<{ profile: string; type: string }>; ssoTokens: string[] };
  };
  /** The item as it sits in a pass entry or a Secret Service secret: aws-vault's keyring item JSON. */
  const assertSameItem = (json: string, key: string) => {
    const stored = JSON.parse(json) as { Key: string; Data: string };
    const original = originals.get(key);
    assert.ok(original, key);
    assert.equal(stored.Key, key);
    assert.deepEqual(Buffer.from(stored.Data, 'base64'), Buffer.from(original.data));
  };

  before(async () => {
    s = await startScenario();
    users = { dev: s.user, ci: s.emulator.state.createUser('bob'), ops: s.emulator.state.createUser('carol') };
    s.home.writeConfig(PROFILES.map((p) => `[profile ${p}]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n`).join('\n'));
    for (const p of ['ci', 'ops'] as const) {
      const added = await s.vault(['add', '--env', p], { AWS_ACCESS_KEY_ID: users[p].accessKeyId, AWS_SECRET_ACCESS_KEY: users[p].secretAccessKey });
      assert.equal(added.code, 0, added.stderr);
    }
    // A cached session, made the ordinary way: export with a session against the emulator.
    const session = await s.vault(['export', '--format=json', 'dev']);
    assert.equal(session.code, 0, session.stderr);
    assert.ok(JSON.parse(session.stdout).SessionToken);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 1);
    // An SSO token as vault's SSO source stores it (nothing calls the start URL).
    await new OidcTokenStore(await fileStore()).set(START_URL, { accessToken: 'e2e-access-token', expiresAt: new Date(Date.now() + 3_600_000), refreshToken: 'e2e-refresh-token' });

    const store = await fileStore();
    allKeys = (await store.keys()).sort();
    sessionKey = allKeys.find((key) => parseSessionKey(key)?.type === 'sts.GetSessionToken') ?? '';
    assert.equal(parseSessionKey(sessionKey)?.profileName, 'dev');
    assert.deepEqual(allKeys, ['ci', 'dev', OIDC_KEY, 'ops', sessionKey]);
    originals = new Map(await Promise.all(allKeys.map(async (key) => [key, await store.get(key)] as const)));
    for (const p of PROFILES) {
      const r = await s.vault(['export', '--no-session', '--format=json', p]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).AccessKeyId, users[p].accessKeyId);
      exported.set(p, r.stdout);
    }
    originalFiles = snapshotDir(s.home.keysDir);
    finalDir = join(s.home.dir, 'migrated-keys');

    mkdirSync(join(s.home.dir, 'pass'));
    mkdirSync(join(s.home.dir, 'ss'));
    // Both are assigned before anything can throw, so `after` stops whichever did start.
    const [passStarted, ssStarted] = await Promise.allSettled([createPassStore(join(s.home.dir, 'pass'), s.home.env), startSecretService(join(s.home.dir, 'ss'), COLLECTION)]);
    if (passStarted.status === 'fulfilled') pass = passStarted.value;
    if (ssStarted.status === 'fulfilled') ss = ssStarted.value;
    for (const started of [passStarted, ssStarted]) if (started.status === 'rejected') throw started.reason;
    Object.assign(s.home.env, pass.env, ss.env, { OCLIF_DISABLE_LINKED_ESM_WARNING: '1' });
    // The pass backend is not bundled with the CLI: a user installs it as a plugin.
    const cli = JSON.parse(readFileSync(join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8')) as { oclif?: { plugins?: string[] } };
    if (!cli.oclif?.plugins?.includes('@awsvault/plugin-backend-pass')) {
      const linked = await s.vault(['plugins', 'link', '--no-install', join(repoRoot, 'plugins', 'backend-pass')]);
      assert.equal(linked.code, 0, linked.stderr);
    }
  });

  after(async () => {
    await ss?.stop();
    await pass?.stop();
    await s?.close();
  });

  it('refuses the same backend on both sides with one error line', async () => {
    const r = await s.vault(['migrate-backend', '--from', 'file', '--to', 'file']);
    assertOneLineError(r, /^vault: error: source and destination backends must differ$/);
  });

  it('--profile with a name the source lacks fails before copying anything, naming it', async () => {
    const r = await s.vault(['migrate-backend', '--from', 'file', '--to', 'pass', '--profile', 'dev', '--profile', 'nope']);
    assertOneLineError(r, /^vault: error: profile "nope" not found in source backend file$/);
    assert.deepEqual(pass.entries(), [], 'not even dev was copied');
  });

  it('--dry-run lists what would move (sessions only with --include-sessions) and changes nothing', async () => {
    const r = await s.vault(['migrate-backend', '--from', 'file', '--to', 'pass', '--dry-run']);
    assertSucceeded(r, 'Would migrate 3 credential profile(s) from file to pass:\n  ci\n  dev\n  ops\n\nNo changes made.\n');
    const all = await s.vault(['migrate-backend', '--from', 'file', '--to', 'pass', '--dry-run', '--include-sessions', '--delete-source']);
    assertSucceeded(all, `Would migrate 5 credential profile(s) from file to pass:\n${allKeys.map((k) => `  ${k}\n`).join('')}\nNo changes made.\n`);
    assert.deepEqual(pass.entries(), []);
    assert.deepEqual(snapshotDir(s.home.keysDir), originalFiles);
  });

  it('file -> pass copies the long-term credentials, each read back and verified', async () => {
    const r = await s.vault(['migrate-backend', '--from', 'file', '--to', 'pass']);
    assertSucceeded(
      r,
      migrationOutput(
        PROFILES.map((p) => [p, 'copied, verified']),
        { copied: 3, overwritten: 0, skipped: 0, deleted: 0 },
      ),
    );
    assert.deepEqual(pass.entries(), [...PROFILES]);
    // The real pass decrypts what vault wrote: aws-vault's item JSON with the original bytes.
    for (const p of PROFILES) assertSameItem(await pass.show(p), p);
    assert.deepEqual(snapshotDir(s.home.keysDir), originalFiles, 'the source is untouched without --delete-source');
  });

  it('a second run without --overwrite skips what the destination has; --overwrite replaces it', async () => {
    const again = await s.vault(['migrate-backend', '--from', 'file', '--to', 'pass']);
    assertSucceeded(
      again,
      migrationOutput(
        PROFILES.map((p) => [p, 'skipped, already exists in destination']),
        { copied: 0, overwritten: 0, skipped: 3, deleted: 0 },
      ),
    );
    const overwrite = await s.vault(['migrate-backend', '--from', 'file', '--to', 'pass', '--profile', 'dev', '--overwrite']);
    assertSucceeded(overwrite, migrationOutput([['dev', 'overwritten, verified']], { copied: 0, overwritten: 1, skipped: 0, deleted: 0 }));
    assertSameItem(await pass.show('dev'), 'dev');
    assert.deepEqual(pass.entries(), [...PROFILES]);
  });

  it('file -> pass --include-sessions adds the cached session and the SSO token', async () => {
    const r = await s.vault(['migrate-backend', '--from', 'file', '--to', 'pass', '--include-sessions']);
    const result = (key: string) => ((PROFILES as readonly string[]).includes(key) ? 'skipped, already exists in destination' : 'copied, verified');
    assertSucceeded(
      r,
      migrationOutput(
        allKeys.map((key) => [key, result(key)]),
        { copied: 2, overwritten: 0, skipped: 3, deleted: 0 },
      ),
    );
    // pass keeps the empty segment of `https://` as the directory `%` (see the backend's entryName.ts).
    assert.deepEqual(pass.entries(), ['ci', 'dev', 'oidc:https:/%/x.awsapps.com/start', 'ops', sessionKey]);
    assertSameItem(await pass.show(sessionKey), sessionKey);
    const listed = await vaultList('pass');
    assert.deepEqual(listed.credentials, [...PROFILES]);
    assert.deepEqual(listed.ssoTokens, [START_URL]);
    assert.deepEqual(
      listed.sessions.map((x) => [x.profile, x.type]),
      [['dev', 'sts.GetSessionToken']],
    );
  });

  it('pass -> secret-service, credentials first, then sessions and tokens', async () => {
    const r = await s.vault(['migrate-backend', '--from', 'pass', '--to', 'secret-service']);
    assertSucceeded(
      r,
      migrationOutput(
        PROFILES.map((p) => [p, 'copied, verified']),
        { copied: 3, overwritten: 0, skipped: 0, deleted: 0 },
      ),
    );
    assert.deepEqual(await ss.labels(), [...PROFILES]);
    const rest = await s.vault(['migrate-backend', '--from', 'pass', '--to', 'secret-service', '--include-sessions']);
    const result = (key: string) => ((PROFILES as readonly string[]).includes(key) ? 'skipped, already exists in destination' : 'copied, verified');
    assertSucceeded(
      rest,
      migrationOutput(
        allKeys.map((key) => [key, result(key)]),
        { copied: 2, overwritten: 0, skipped: 3, deleted: 0 },
      ),
    );
    // Read independently of vault: busctl for the labels, secret-tool for the secrets.
    assert.deepEqual(await ss.labels(), allKeys);
    for (const key of allKeys) assertSameItem(await ss.secret(key), key);
    assert.equal(pass.entries().length, 5, 'the pass entries stay');
  });

  it('secret-service -> a fresh file dir with --delete-source stops at a failure and deletes only verified items', async () => {
    // A non-empty directory where the `ops` file must go: that one write fails.
    mkdirSync(join(finalDir, 'ops', 'blocker'), { recursive: true });
    const r = await s.vault(['migrate-backend', '--from', 'secret-service', '--to', 'file', '--include-sessions', '--delete-source'], toFinal());
    assert.equal(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.equal(r.stderr, '', 'the failure is reported in the progress output, not as an error line');
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      'Migrating ci... copied, verified, deleted source',
      'Migrating dev... copied, verified, deleted source',
      `Migrating ${OIDC_KEY}... copied, verified, deleted source`,
    ]);
    assert.equal(lines[3], `Migrating ops... failed: cannot write ${join(finalDir, 'ops')}: EISDIR`);
    assert.equal(lines[4], 'Migration stopped. Source credentials were not deleted for the failed profile.');
    assert.equal(lines.slice(5).join('\n') + '\n', migrationOutput([], { copied: 3, overwritten: 0, skipped: 0, deleted: 3 }));
    assert.equal(lines.length, 10, 'nothing after the failed item was attempted');
    assert.deepEqual(await ss.labels(), ['ops', sessionKey], 'the failed item and the untried one stay in the source');
    assert.deepEqual((await (await fileStore(toFinal())).keys()).sort(), ['ci', 'dev', OIDC_KEY]);
  });

  it('once the obstacle is gone the rest moves, and the emptied source has nothing left to migrate', async () => {
    rmSync(join(finalDir, 'ops'), { recursive: true });
    const r = await s.vault(['migrate-backend', '--from', 'secret-service', '--to', 'file', '--include-sessions', '--delete-source'], toFinal());
    assertSucceeded(
      r,
      migrationOutput(
        [
          ['ops', 'copied, verified, deleted source'],
          [sessionKey, 'copied, verified, deleted source'],
        ],
        { copied: 2, overwritten: 0, skipped: 0, deleted: 2 },
      ),
    );
    assert.deepEqual(await ss.labels(), []);
    const dry = await s.vault(['migrate-backend', '--from', 'secret-service', '--to', 'file', '--dry-run', '--include-sessions'], toFinal());
    assertSucceeded(dry, 'No credentials found in source backend secret-service.\n');
  });

  it('the final file store holds byte-identical items and export prints the same credentials', async () => {
    const store = await fileStore(toFinal());
    assert.deepEqual((await store.keys()).sort(), allKeys);
    for (const key of allKeys) {
      const copy = await store.get(key);
      const original = originals.get(key);
      assert.ok(original);
      assert.deepEqual(Buffer.from(copy.data), Buffer.from(original.data), key);
      assert.equal(copy.label, original.label, key);
      assert.equal(copy.description, original.description, key);
    }
    for (const p of PROFILES) {
      const r = await s.vault(['export', '--no-session', '--format=json', p], toFinal());
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, exported.get(p), p);
    }
    const listed = await vaultList('file', toFinal());
    assert.deepEqual(listed.ssoTokens, [START_URL]);
    assert.deepEqual(snapshotDir(s.home.keysDir), originalFiles, 'the first file store was only ever read');
  });

  it('vault exec runs the real AWS CLI with the migrated keys and reuses the migrated session', async () => {
    const callerArn = async (args: string[]) => {
      const r = await s.vault(['exec', '--backend', 'file', ...args, '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', s.emulator.url, '--output', 'json'], toFinal());
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { Arn: string }).Arn;
    };
    const arns = await Promise.all(PROFILES.map((p) => callerArn(['--no-session', p])));
    assert.deepEqual(
      arns,
      PROFILES.map((p) => users[p].arn),
    );
    assert.equal(await callerArn(['dev']), users.dev.arn);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 1, 'the session migrated with dev was used, no new one fetched');
  });
});
