import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeAccessKeyId } from '@awsvault/core/testing';
import { itemLine, notImportedLine, summaryLine } from './formatImport.js';

describe('import output', () => {
  const key = { profile: 'dev', credentials: { accessKeyId: fakeAccessKeyId('devkey'), secretAccessKey: 'the-secret' } };

  it('masks the access key id and never shows the secret', () => {
    const line = itemLine(key, 'imported', false);
    assert.equal(line, `dev (****************${fakeAccessKeyId('devkey').slice(-4)}): imported`);
    assert.doesNotMatch(line, /the-secret/);
    assert.equal(itemLine(key, 'overwritten', true), `dev (****************${fakeAccessKeyId('devkey').slice(-4)}): would replace`);
    assert.equal(itemLine('ci', 'skipped', false), 'ci: skipped, vault already has ci (--force replaces it)');
    assert.equal(notImportedLine('tmp', 'why'), 'tmp: not imported, why');
  });

  it('summarises counts and names what was left out', () => {
    assert.equal(
      summaryLine({ imported: 2, overwritten: 0, skipped: ['ci'], notImported: ['tmp'] }, 'file', false),
      'Import into file done: 2 imported, 0 replaced, 1 skipped (already in vault: ci), 1 not importable (tmp).',
    );
    assert.equal(summaryLine({ imported: 1, overwritten: 1, skipped: [], notImported: [], failed: ['x'] }, 'pass', true), 'Dry run, nothing changed: 1 to import, 1 to replace, 0 skipped, 1 failed (x).');
  });
});
