import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unifiedDiff } from './unifiedDiff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'f'), '');
  });

  it('shows an addition at the end with 3 lines of context', () => {
    assert.equal(unifiedDiff('1\n2\n3\n4\n5\n', '1\n2\n3\n4\n5\n6\n7\n', '/h/config'),
      '--- /h/config\n+++ /h/config (after vault sso populate)\n@@ -3,3 +3,5 @@\n 3\n 4\n 5\n+6\n+7\n');
  });

  it('makes separate hunks for distant changes and one for close ones', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n') + '\n';
    const after = before.replace('l2\n', 'L2\n').replace('l17\n', '');
    const diff = unifiedDiff(before, after, 'f');
    assert.equal(diff, '--- f\n+++ f (after vault sso populate)\n@@ -1,6 +1,6 @@\n l0\n l1\n-l2\n+L2\n l3\n l4\n l5\n@@ -15,6 +15,5 @@\n l14\n l15\n l16\n-l17\n l18\n l19\n');
    const close = unifiedDiff(before, before.replace('l5\n', 'x\n').replace('l9\n', 'y\n'), 'f');
    assert.equal(close.match(/^@@/gm)?.length, 1);
  });

  it('diffs a new file and a removed block', () => {
    assert.equal(unifiedDiff('', 'a\n', 'f'), '--- f\n+++ f (after vault sso populate)\n@@ -0,0 +1,1 @@\n+a\n');
    assert.equal(unifiedDiff('a\nb\nc\n', 'a\n', 'f'), '--- f\n+++ f (after vault sso populate)\n@@ -1,3 +1,1 @@\n a\n-b\n-c\n');
  });

  it('stays fast and correct for large rewrites', () => {
    const before = Array.from({ length: 5000 }, (_, i) => `x${i}`).join('\n') + '\n';
    const after = Array.from({ length: 5000 }, (_, i) => `y${i}`).join('\n') + '\n';
    const started = Date.now();
    const diff = unifiedDiff(before, after, 'f');
    assert.ok(Date.now() - started < 3000);
    assert.equal(diff.split('\n').filter((l) => l.startsWith('-x')).length, 5000);
    assert.equal(diff.split('\n').filter((l) => l.startsWith('+y')).length, 5000);
  });
});
