import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { rewriteCredentialsFile } from './rewriteCredentialsFile.js';

describe('rewriteCredentialsFile', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vault-rewrite-'));
    path = join(dir, 'credentials');
    writeFileSync(path, 'old', { mode: 0o644 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a 0600 backup beside the file, then the new content with mode 0600', () => {
    const now = new Date('2025-01-02T03:04:05.678Z');
    const { backupPath } = rewriteCredentialsFile(path, 'old', 'new', now);
    assert.equal(backupPath, `${path}.vault-backup-20250102T030405Z`);
    assert.equal(readFileSync(backupPath, 'utf8'), 'old');
    assert.equal(statSync(backupPath).mode & 0o777, 0o600);
    assert.equal(readFileSync(path, 'utf8'), 'new');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    // A second backup in the same second does not replace the first.
    const again = rewriteCredentialsFile(path, 'new', 'newer', now);
    assert.equal(again.backupPath, `${backupPath}-1`);
    assert.equal(readFileSync(backupPath, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir).sort(), ['credentials', 'credentials.vault-backup-20250102T030405Z', 'credentials.vault-backup-20250102T030405Z-1']);
  });

  it('refuses when the file changed since it was read, touching nothing', () => {
    assert.throws(() => rewriteCredentialsFile(path, 'something else', 'new'), { code: 'IMPORT_REWRITE_FAILED', message: `${path} changed while importing; it was left as it is` });
    assert.equal(readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['credentials']);
  });
});
