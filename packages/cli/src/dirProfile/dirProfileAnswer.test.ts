import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { changeTrust } from './changeTrust.js';
import { dirProfileAnswer } from './dirProfileAnswer.js';
import { findDirProfile } from './findDirProfile.js';

describe('.vault-profile lookup and trust', () => {
  const root = mkdtempSync(join(tmpdir(), 'vault-dirprofile-'));
  const home = join(root, 'home');
  const proj = join(home, 'proj');
  mkdirSync(join(proj, 'a', 'b'), { recursive: true });
  const env = { HOME: home, XDG_CONFIG_HOME: join(root, 'config') };
  after(() => rmSync(root, { recursive: true, force: true }));

  it('finds the nearest file upward, and stops at the home directory', () => {
    assert.equal(findDirProfile(join(proj, 'a', 'b'), home), undefined);
    writeFileSync(join(root, '.vault-profile'), 'above-home\n');
    assert.equal(findDirProfile(join(proj, 'a'), home), undefined, 'a file above HOME is not used for directories inside it');
    assert.equal(findDirProfile(root, home)?.profile, 'above-home');
    writeFileSync(join(proj, '.vault-profile'), '  dev \r\nignored\n');
    const found = findDirProfile(join(proj, 'a', 'b'), home);
    assert.equal(found?.dir, proj);
    assert.equal(found?.profile, 'dev');
  });

  it('answers warn until allowed, use after, warn again once the file changes, and deny forgets it', () => {
    writeFileSync(join(proj, '.vault-profile'), 'dev\n');
    assert.equal(dirProfileAnswer(join(proj, 'a'), env), `warn\ndev\n${proj}\nvault: ${proj}/.vault-profile is not trusted; run \`vault allow\` to use profile dev\n`);
    assert.deepEqual(changeTrust('allow', join(proj, 'a', 'b'), env), { file: join(proj, '.vault-profile'), profile: 'dev' });
    assert.equal(dirProfileAnswer(join(proj, 'a'), env), `use\ndev\n${proj}\n\n`);
    const list = join(env.XDG_CONFIG_HOME, 'vault', 'trusted-dirs.json');
    assert.equal(statSync(list).mode & 0o777, 0o600);
    writeFileSync(join(proj, '.vault-profile'), 'prod\n');
    assert.match(dirProfileAnswer(proj, env), /^warn\nprod\n/);
    changeTrust('deny', proj, env);
    assert.deepEqual(JSON.parse(readFileSync(list, 'utf8')), { version: 1, files: {} });
  });

  it('refuses a first line that is not a name, and a damaged trust list, with one line naming the file', () => {
    writeFileSync(join(proj, '.vault-profile'), '--debug\n');
    assert.match(dirProfileAnswer(proj, env), /^warn\n\n.*the first line is not a profile name; ignored\n$/s);
    assert.throws(() => changeTrust('allow', proj, env), /\.vault-profile: the first line is not a profile name/);
    writeFileSync(join(proj, '.vault-profile'), 'dev\n');
    writeFileSync(join(env.XDG_CONFIG_HOME, 'vault', 'trusted-dirs.json'), '{"files": [');
    assert.match(dirProfileAnswer(proj, env), /is not trusted \(.*trusted-dirs\.json is not JSON\)/);
    assert.throws(() => changeTrust('allow', proj, env), (e: Error & { code?: string }) => e.code === 'TRUST_LIST_INVALID' && /trusted-dirs\.json is not JSON/.test(e.message));
    assert.equal(readFileSync(join(env.XDG_CONFIG_HOME, 'vault', 'trusted-dirs.json'), 'utf8'), '{"files": [', 'left for the user to fix');
  });

  it('no file: none, and allow says where to write one', () => {
    const empty = mkdtempSync(join(home, 'empty-'));
    assert.equal(dirProfileAnswer(empty, env), 'none\n\n\n\n');
    assert.throws(() => changeTrust('allow', empty, env), /no \.vault-profile in .*empty-\w+ or the directories above it/);
  });
});
