import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { serveToken } from './serveToken.js';

describe('serveToken', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-serve-token-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string, mode = 0o600) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  it('generates 32 random bytes, base64url, different each time', () => {
    const a = serveToken(undefined);
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(serveToken(undefined), a);
  });

  it('reads a token file, trimmed', () => {
    const token = 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy+/==';
    assert.equal(serveToken(file('ok', `${token}\n`)), token);
  });

  it('refuses a file others can read, a short or odd token, and a missing file, naming the file', () => {
    assert.throws(() => serveToken(file('open', 'a'.repeat(40), 0o644), 'linux'), /token file .*open is readable by other users \(mode 644\)/);
    assert.throws(() => serveToken(file('short', 'a'.repeat(31))), /token file .*short must hold one token of 32/);
    assert.throws(() => serveToken(file('spaces', `${'a'.repeat(20)} ${'b'.repeat(20)}`)), /must hold one token/);
    assert.throws(() => serveToken(join(dir, 'missing')), /cannot read token file .*missing: ENOENT/);
  });
});
