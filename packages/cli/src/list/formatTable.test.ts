import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatTable } from './formatTable.js';

it("formatTable pads every column, the last included, like aws-vault's tabwriter", () => {
  const out = formatTable([
    ['Profile', 'Credentials', 'Sessions'],
    ['jonsmith', 'jonsmith', 'sts.GetSessionToken:7h59m40s'],
  ]);
  const lines = out.split('\n');
  assert.equal(lines[0], `Profile${' '.repeat(18)}Credentials${' '.repeat(14)}Sessions${' '.repeat(22)}`);
  assert.equal(lines[1], `jonsmith${' '.repeat(17)}jonsmith${' '.repeat(17)}sts.GetSessionToken:7h59m40s  `);
  assert.equal(lines[2], '');
});
