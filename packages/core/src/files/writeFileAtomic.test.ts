import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeFileAtomic } from './writeFileAtomic.js';

describe('writeFileAtomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-atomic-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const mode = (path: string) => statSync(path).mode & 0o777;

  it('writes new files 0600 and forces 0600 over a looser file, unless keepMode', () => {
    const secret = join(dir, 'secret.json');
    writeFileSync(secret, 'old', { mode: 0o644 });
    chmodSync(secret, 0o644);
    writeFileAtomic(secret, 'new');
    assert.equal(readFileSync(secret, 'utf8'), 'new');
    assert.equal(mode(secret), 0o600);
    const config = join(dir, 'config');
    writeFileSync(config, 'old');
    chmodSync(config, 0o644);
    writeFileAtomic(config, 'new', { keepMode: true });
    assert.equal(mode(config), 0o644);
    writeFileAtomic(join(dir, 'fresh'), 'x', { keepMode: true });
    assert.equal(mode(join(dir, 'fresh')), 0o600);
  });

  it('replaces the target of a symlink and keeps the link', () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'old');
    const link = join(dir, 'link');
    symlinkSync(target, link);
    writeFileAtomic(link, 'through the link');
    assert.equal(readFileSync(target, 'utf8'), 'through the link');
    assert.ok(statSync(link, { throwIfNoEntry: true }).isFile());
  });

  it('leaves no temp file behind when the rename fails', () => {
    const sub = mkdtempSync(join(dir, 'sub-'));
    mkdtempSync(join(sub, 'a-dir-'));
    const [existingDir] = readdirSync(sub);
    assert.throws(() => writeFileAtomic(join(sub, existingDir as string), 'x'));
    assert.deepEqual(readdirSync(sub), [existingDir]);
  });
});
