import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMasterCredentials, type Credentials } from '@awsvault/core';
import { openPassBackend } from '@awsvault/plugin-backend-pass';
import type { UserRecord } from '../emulator/state.js';
import { repoRoot } from '../helpers/paths.js';
import { calibrate, killPlan, runAndKill, seededRandom, type Calibration, type CrashRun, type KillPlan } from '../helpers/crashRun.js';
import { createPassStore, type PassStore } from '../helpers/passStore.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { inspectFileStore, type StoreInspection } from '../helpers/storeCheck.js';

// kill -9 at random moments of the commands that write the store, then check that the store holds
// the old or the new item and never a broken one, and that vault still works. Each scenario stops
// after MAX_KILLS kills or BUDGET_MS, whichever comes first, and prints a `figure crash-safety` line.

const BUDGET_MS = Number(process.env['VAULT_CRASH_BUDGET_MS'] ?? 18_000);
const MAX_KILLS = Number(process.env['VAULT_CRASH_KILLS'] ?? 200);
/** Below this many kills in the budget the machine is too slow for the figure to mean anything. */
const MIN_KILLS = 15;
const SEED = Number(process.env['VAULT_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
/** `vault export --no-session` is run after every this many kills (and at the end). */
const EXPORT_EVERY = 10;

const sameKey = (a: Credentials | undefined, b: Credentials | undefined) => a !== undefined && b !== undefined && a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey;
const describeStore = (s: StoreInspection) => JSON.stringify({ keys: [...s.items.keys()], broken: s.broken, temp: s.tempFiles.length });

interface Figures {
  kills: number;
  /** Runs that ended on their own before their kill time. */
  completed: number;
  /** Items lost or replaced by something that is neither the old nor the new value (goal 0). */
  lost: number;
  /** Items that did not decrypt or parse (goal 0). */
  broken: number;
  /** Kills that left a temp file behind, i.e. landed inside a write. */
  torn: number;
  /** Kills after the store had started to change (inside or after a write). */
  duringWrite: number;
}

interface Loop {
  name: string;
  args: (i: number) => string[];
  env: (i: number) => Record<string, string>;
  calibration: Calibration;
  watchDir: string | undefined;
  /** Restores the state a run starts from. */
  prepare?: (i: number) => Promise<void> | void;
  /** Checks the state after a run (killed or not); returns the items lost and broken by it. */
  verify: (run: CrashRun, i: number) => Promise<{ lost: number; broken: number }>;
  /** Every EXPORT_EVERY kills and at the end. */
  exportCheck: () => Promise<void>;
  /** Files of the watched directory that count as torn writes when new. */
  tempFiles: () => string[];
}

/**
 * Moves the timing estimates towards what the last run showed: runs slow down and speed up with the
 * load of other tests, and kills placed from a stale estimate would all land before or after the write.
 */
function adapt(calibration: Calibration, run: CrashRun): void {
  const blend = (old: number, seen: number) => 0.7 * old + 0.3 * seen;
  if (!run.killed) calibration.durationMs = blend(calibration.durationMs, run.atMs);
  else if (run.atMs > calibration.durationMs) calibration.durationMs = blend(calibration.durationMs, run.atMs * 1.1);
  if (run.firstChangeMs !== undefined) calibration.firstChangeMs = blend(calibration.firstChangeMs ?? run.firstChangeMs, run.firstChangeMs);
  else if (run.killed && calibration.firstChangeMs !== undefined && run.atMs > calibration.firstChangeMs) calibration.firstChangeMs = blend(calibration.firstChangeMs, run.atMs * 1.1);
}

async function crashLoop(loop: Loop): Promise<Figures> {
  const random = seededRandom(SEED ^ [...loop.name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  const figures: Figures = { kills: 0, completed: 0, lost: 0, broken: 0, torn: 0, duringWrite: 0 };
  const started = performance.now();
  let knownTemp = new Set(loop.tempFiles());
  // Past the budget only while fewer than MIN_KILLS kills were made (a machine busy with other tests), up to twice the budget.
  const goOn = () => {
    const elapsed = performance.now() - started;
    return figures.kills < MAX_KILLS && (elapsed < BUDGET_MS || (figures.kills < MIN_KILLS && elapsed < 2 * BUDGET_MS));
  };
  for (let i = 0; goOn(); i++) {
    await loop.prepare?.(i);
    // Every run is watched, so that the timing estimates follow the machine's load as it changes.
    const plan: KillPlan = { watchDir: loop.watchDir, ...killPlan(i, loop.calibration, loop.watchDir, random) };
    const run = await runAndKill(loop.args(i), loop.env(i), plan);
    adapt(loop.calibration, run);
    if (run.killed) {
      figures.kills++;
      if (run.firstChangeMs !== undefined) figures.duringWrite++;
    } else {
      figures.completed++;
      assert.equal(run.code, 0, `${loop.name}: an uninterrupted run failed (seed ${SEED}, run ${i}): ${run.stderr}`);
    }
    const temp = loop.tempFiles();
    if (temp.some((name) => !knownTemp.has(name))) figures.torn++;
    knownTemp = new Set(temp);
    const damage = await loop.verify(run, i);
    figures.lost += damage.lost;
    figures.broken += damage.broken;
    if (run.killed && figures.kills % EXPORT_EVERY === 0) await loop.exportCheck();
  }
  await loop.exportCheck();
  console.log(
    `figure crash-safety ${loop.name} kills=${figures.kills} lost=${figures.lost} broken=${figures.broken} completed=${figures.completed} ` +
      `during-write=${figures.duringWrite} torn-writes=${figures.torn} run-ms=${Math.round(loop.calibration.durationMs)} ` +
      `first-write-ms=${Math.round(loop.calibration.firstChangeMs ?? -1)} seed=${SEED}`,
  );
  assert.ok(figures.kills >= MIN_KILLS, `${loop.name}: only ${figures.kills} kills in ${2 * BUDGET_MS} ms`);
  assert.equal(figures.broken, 0, `${loop.name}: broken items (seed ${SEED})`);
  assert.equal(figures.lost, 0, `${loop.name}: lost items (seed ${SEED})`);
  return figures;
}

/** `vault export --no-session --format=json dev` works and gives the stored key. */
async function assertExportNoSession(s: Scenario, expected: () => Credentials | undefined, extraEnv: Record<string, string> = {}): Promise<void> {
  const r = await s.vault(['export', '--no-session', '--format=json', 'dev'], extraEnv);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { AccessKeyId: string; SecretAccessKey: string };
  const want = expected();
  assert.ok(want, 'a stored key');
  assert.equal(json.AccessKeyId, want.accessKeyId);
  assert.equal(json.SecretAccessKey, want.secretAccessKey);
}

/** Removes the lock directories a killed process left (proper-lockfile would take them over after 10 s). */
function clearLocks(runtimeDir: string): void {
  rmSync(join(runtimeDir, 'vault', 'locks'), { recursive: true, force: true });
}

describe('crash safety: kill -9 while vault writes the store', { timeout: 240_000 }, () => {
  let s: Scenario;
  let runtimeDir: string;
  let env: Record<string, string>;
  before(async () => {
    s = await startScenario();
    runtimeDir = join(s.home.dir, 'run');
    mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
    // Locks in a directory of this test's own, not a shared /run/user/<uid>.
    env = { ...s.home.env, XDG_RUNTIME_DIR: runtimeDir };
  });
  after(() => s.close());

  it('vault add --env --force: the store holds the old or the new key, never a broken one', async () => {
    const bob = s.emulator.state.createUser('bob-add');
    const keys: Credentials[] = [
      { accessKeyId: s.user.accessKeyId, secretAccessKey: s.user.secretAccessKey },
      { accessKeyId: bob.accessKeyId, secretAccessKey: bob.secretAccessKey },
    ];
    // A second profile the runs never touch: its file must stay byte for byte the same.
    const ops = await s.vault(['add', '--env', 'ops'], { AWS_ACCESS_KEY_ID: bob.accessKeyId, AWS_SECRET_ACCESS_KEY: bob.secretAccessKey });
    assert.equal(ops.code, 0, ops.stderr);
    const opsFile = join(s.home.keysDir, 'ops');
    const opsBytes = readFileSync(opsFile);
    let stored: Credentials | undefined = keys[0];
    let next: Credentials = keys[1] as Credentials;
    const addArgs = () => ['add', '--env', '--force', 'dev'];
    const addEnv = () => ({ ...env, AWS_ACCESS_KEY_ID: next.accessKeyId, AWS_SECRET_ACCESS_KEY: next.secretAccessKey });
    const calibration = await calibrate(3, () => runAndKill(addArgs(), addEnv(), { watchDir: s.home.keysDir, afterMs: 60_000 }), {
      check: () => {
        [stored, next] = [next, stored as Credentials];
      },
    });
    await crashLoop({
      name: 'add',
      args: addArgs,
      env: addEnv,
      calibration,
      watchDir: s.home.keysDir,
      tempFiles: () => readdirSync(s.home.keysDir).filter((n) => n.startsWith('.vault-tmp-')),
      verify: async (run) => {
        const store = await inspectFileStore(env, s.home.dir);
        const dev = store.credentials.get('dev');
        let lost = 0;
        if (!sameKey(dev, stored) && !sameKey(dev, next)) lost++;
        if (!run.killed) assert.ok(sameKey(dev, next), 'a completed add stores the new key');
        if (!readFileSync(opsFile).equals(opsBytes)) lost++;
        if (lost > 0 || store.broken.length > 0) console.log(`crash-safety add: after a kill at ${run.atMs.toFixed(1)} ms: ${describeStore(store)}`);
        if (dev && sameKey(dev, next)) [stored, next] = [dev, stored as Credentials];
        return { lost, broken: store.broken.length };
      },
      exportCheck: () => assertExportNoSession(s, () => stored),
    });
  });

  it('vault export refreshing a session (AWS_MIN_TTL beyond its life): the write-back never breaks the store', async () => {
    const master: Credentials = { accessKeyId: s.user.accessKeyId, secretAccessKey: s.user.secretAccessKey };
    const reset = await s.vault(['add', '--env', '--force', 'dev'], { AWS_ACCESS_KEY_ID: master.accessKeyId, AWS_SECRET_ACCESS_KEY: master.secretAccessKey });
    assert.equal(reset.code, 0, reset.stderr);
    // Sessions last 1 h: a minimum TTL of 2 h makes every run fetch and store a new one.
    const exportEnv = () => ({ ...env, AWS_MIN_TTL: '2h' });
    const exportArgs = () => ['export', '--format=json', 'dev'];
    const callsBefore = s.emulator.state.calls('sts:GetSessionToken');
    const calibration = await calibrate(3, () => runAndKill(exportArgs(), exportEnv(), { watchDir: s.home.keysDir, afterMs: 60_000 }));
    assert.equal(s.emulator.state.calls('sts:GetSessionToken') - callsBefore, 3, 'each run refreshes');
    await crashLoop({
      name: 'session-write-back',
      args: exportArgs,
      env: exportEnv,
      calibration,
      watchDir: s.home.keysDir,
      tempFiles: () => readdirSync(s.home.keysDir).filter((n) => n.startsWith('.vault-tmp-')),
      verify: async (run) => {
        const store = await inspectFileStore(env, s.home.dir);
        let lost = 0;
        if (!sameKey(store.credentials.get('dev'), master)) lost++;
        if (!run.killed) {
          assert.equal(store.sessions.length, 1, `one session after a completed refresh: ${describeStore(store)}`);
          const printed = JSON.parse(run.stdout) as { AccessKeyId: string };
          assert.equal(s.emulator.state.accessKeyState(printed.AccessKeyId), 'active');
        }
        if (lost > 0 || store.broken.length > 0) console.log(`crash-safety session-write-back: after a kill at ${run.atMs.toFixed(1)} ms: ${describeStore(store)}`);
        // A killed holder's lock goes stale after 10 s; the loop does not wait for that (checked below).
        clearLocks(runtimeDir);
        return { lost, broken: store.broken.length };
      },
      exportCheck: () => assertExportNoSession(s, () => master, { XDG_RUNTIME_DIR: runtimeDir }),
    });

    // One kill while the refresh lock is held: the next export takes the stale lock over and works.
    const lockDir = join(runtimeDir, 'vault', 'locks');
    let held = false;
    for (let attempt = 0; attempt < 40 && !held; attempt++) {
      clearLocks(runtimeDir);
      const from = calibration.firstChangeMs ?? calibration.durationMs / 2;
      await runAndKill(exportArgs(), exportEnv(), { afterMs: Math.max(0, from - 40 + Math.random() * 40) });
      held = existsSync(lockDir) && readdirSync(lockDir).some((name) => name.endsWith('.lock'));
    }
    assert.ok(held, 'a kill landed while the lock was held');
    const t0 = performance.now();
    const r = await s.vault(['export', '--format=json', 'dev'], exportEnv());
    const waited = performance.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(waited < 20_000, `waited ${waited} ms for a dead process's lock`);
    console.log(`figure crash-safety stale-lock export-after-kill-ms=${Math.round(waited)}`);
    const store = await inspectFileStore(env, s.home.dir);
    assert.deepEqual(store.broken, []);
  });

  it('vault rotate --no-session: the stored key is always one that is active in IAM', async () => {
    const state = s.emulator.state;
    const alice = state.findUser(state.defaultAccountId, 'alice') as UserRecord;
    const storedKey = async (): Promise<Credentials | undefined> => (await inspectFileStore(env, s.home.dir)).credentials.get('dev');
    let current = await storedKey();
    assert.ok(current && state.accessKeyState(current.accessKeyId) === 'active');
    /** A kill between CreateAccessKey and the write leaves a second key in IAM, as it would at AWS; the user deletes it. */
    const tidyIam = (keep: string) => {
      for (const key of state.accessKeysOf(alice)) if (key.accessKeyId !== keep) state.deleteAccessKey(alice, key.accessKeyId);
    };
    const rotateArgs = () => ['rotate', '--no-session', 'dev'];
    const calibration = await calibrate(3, () => runAndKill(rotateArgs(), env, { watchDir: s.home.keysDir, afterMs: 60_000 }));
    current = await storedKey();
    let secondKeysLeft = 0;
    await crashLoop({
      name: 'rotate',
      args: rotateArgs,
      env: () => env,
      calibration,
      watchDir: s.home.keysDir,
      tempFiles: () => readdirSync(s.home.keysDir).filter((n) => n.startsWith('.vault-tmp-')),
      verify: async (run) => {
        const store = await inspectFileStore(env, s.home.dir);
        const dev = store.credentials.get('dev');
        let lost = 0;
        // The stored key must be live at IAM with the very secret vault stored.
        if (!dev || state.accessKeyState(dev.accessKeyId) !== 'active' || state.signingCredential(dev.accessKeyId)?.secretAccessKey !== dev.secretAccessKey) {
          lost++;
          console.log(`crash-safety rotate: after a kill at ${run.atMs.toFixed(1)} ms the stored key ${dev?.accessKeyId ?? '(none)'} is ${dev ? state.accessKeyState(dev.accessKeyId) : 'missing'}`);
        }
        if (!run.killed) assert.notEqual(dev?.accessKeyId, current?.accessKeyId, 'a completed rotate stores a new key');
        if (state.accessKeysOf(alice).length > 1) secondKeysLeft++;
        if (dev) {
          tidyIam(dev.accessKeyId);
          current = dev;
        }
        clearLocks(runtimeDir);
        return { lost, broken: store.broken.length };
      },
      exportCheck: () => assertExportNoSession(s, () => current, { XDG_RUNTIME_DIR: runtimeDir }),
    });
    console.log(`figure crash-safety rotate-left-second-iam-key kills-with-two-keys=${secondKeysLeft}`);
    const r = await s.vault(['rotate', '--no-session', 'dev'], { XDG_RUNTIME_DIR: runtimeDir });
    assert.equal(r.code, 0, r.stderr);
  });

  describe('vault migrate-backend --from file --to pass --delete-source', () => {
    let pass: PassStore;
    before(async () => {
      pass = await createPassStore(join(s.home.dir, 'pass'), s.home.env);
      Object.assign(env, pass.env, { OCLIF_DISABLE_LINKED_ESM_WARNING: '1' });
      // The pass backend is not bundled with the CLI: a user installs it as a plugin (here: linked).
      const cli = JSON.parse(readFileSync(join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8')) as { oclif?: { plugins?: string[] } };
      if (!cli.oclif?.plugins?.includes('@awsvault/plugin-backend-pass')) {
        const linked = await s.vault(['plugins', 'link', '--no-install', join(repoRoot, 'plugins', 'backend-pass')], env);
        assert.equal(linked.code, 0, linked.stderr);
      }
    });
    after(() => pass.stop());

    it('every item is readable in the source or the destination, whatever the moment of the kill', async () => {
      const state = s.emulator.state;
      const profiles = ['ci', 'dev', 'ops'];
      s.home.writeConfig(profiles.map((p) => `[profile ${p}]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n`).join('\n'));
      for (const p of ['ci', 'ops']) {
        const u = state.createUser(`${p}-migrate`);
        const r = await s.vault(['add', '--env', '--force', p], { AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey });
        assert.equal(r.code, 0, r.stderr);
      }
      // Start from a store of exactly the three profiles.
      for (const name of readdirSync(s.home.keysDir)) if (!profiles.includes(name)) rmSync(join(s.home.keysDir, name), { force: true });
      const original = await inspectFileStore(env, s.home.dir);
      assert.deepEqual([...original.credentials.keys()].sort(), profiles);
      const snapshot = new Map(readdirSync(s.home.keysDir).map((name) => [name, readFileSync(join(s.home.keysDir, name))]));
      const migrateEnv = env;
      const passStore = await openPassBackend({ env: migrateEnv, homeDir: s.home.dir, askPassphrase: () => Promise.reject(new Error('no prompt')), debug: () => {} });
      const restore = () => {
        for (const name of readdirSync(s.home.keysDir)) rmSync(join(s.home.keysDir, name), { force: true });
        for (const [name, bytes] of snapshot) writeFileSync(join(s.home.keysDir, name), bytes, { mode: 0o600 });
        for (const name of readdirSync(pass.storeDir)) if (name !== '.gpg-id') rmSync(join(pass.storeDir, name), { recursive: true, force: true });
      };
      const migrateArgs = () => ['migrate-backend', '--from', 'file', '--to', 'pass', '--delete-source'];
      const calibration = await calibrate(2, () => runAndKill(migrateArgs(), migrateEnv, { watchDir: pass.storeDir, afterMs: 60_000 }), {
        prepare: restore,
        check: () => assert.deepEqual(pass.entries().length, profiles.length),
      });
      let passBroken = 0;
      let inBoth = 0;
      await crashLoop({
        name: 'migrate',
        args: migrateArgs,
        env: () => migrateEnv,
        calibration,
        watchDir: pass.storeDir,
        prepare: restore,
        tempFiles: () => readdirSync(s.home.keysDir).filter((n) => n.startsWith('.vault-tmp-')),
        verify: async (run) => {
          const store = await inspectFileStore(env, s.home.dir);
          let lost = 0;
          for (const p of profiles) {
            const want = original.credentials.get(p);
            const inFile = sameKey(store.credentials.get(p), want);
            let inPass = false;
            if (!inFile || !run.killed) {
              try {
                inPass = sameKey(parseMasterCredentials((await passStore.get(p)).data, p), want);
              } catch (error) {
                if ((error as { code?: string }).code !== 'ITEM_NOT_FOUND') passBroken++;
              }
            }
            if (inFile && pass.entries().some((e) => e.endsWith(p))) inBoth++;
            if (!inFile && !inPass) {
              lost++;
              console.log(`crash-safety migrate: ${p} lost after a kill at ${run.atMs.toFixed(1)} ms: ${describeStore(store)}; pass: ${pass.entries().join(',')}`);
            }
            if (!run.killed) assert.ok(inPass && !store.credentials.has(p), `a completed migration moved ${p}`);
          }
          return { lost, broken: store.broken.length };
        },
        exportCheck: async () => {
          restore();
          await assertExportNoSession(s, () => original.credentials.get('dev'), { XDG_RUNTIME_DIR: runtimeDir });
        },
      });
      console.log(`figure crash-safety migrate-detail items-in-both=${inBoth} broken-pass-entries=${passBroken}`);
    });
  });
});
