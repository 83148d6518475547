import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatedProfiles } from './generatedProfiles.js';
import { blockBegin, blockEnd, mergeGeneratedBlock, splitLines } from './mergeGeneratedBlock.js';

const HAND = '# my settings\n[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1   ; trailing comment\n\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n';
const roles = (...list: Array<[string, string, string]>) => list.map(([accountId, accountName, roleName]) => ({ accountId, accountName, roleName }));
const gen = (list: ReturnType<typeof roles>, session = 'corp') => generatedProfiles(list, { template: '{account_name}-{role_name}', session, region: 'eu-west-1' });
const merge = (text: string, list: ReturnType<typeof roles>, extra: { prune?: boolean; strict?: boolean; session?: string } = {}) =>
  mergeGeneratedBlock({ text, file: '/h/.aws/config', session: extra.session ?? 'corp', profiles: gen(list, extra.session), prune: extra.prune ?? false, strict: extra.strict ?? false });

/** What is outside every generated block. */
function outside(text: string): string {
  const lines = splitLines(text);
  let inBlock = false;
  return lines.filter((line) => {
    if (line.startsWith('# >>> vault sso populate')) inBlock = true;
    const keep = !inBlock;
    if (line.startsWith('# <<< vault sso populate')) inBlock = false;
    return keep;
  }).join('');
}

describe('mergeGeneratedBlock', () => {
  it('appends a marked block and keeps the hand-written text as an exact prefix', () => {
    const r = merge(HAND, roles(['111111111111', 'Alpha', 'Admin'], ['222222222222', 'Beta', 'ReadOnly']));
    assert.ok(r.text.startsWith(HAND));
    assert.equal(r.text.slice(HAND.length),
      `\n${blockBegin('corp')}\n[profile alpha-admin]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-west-1\n\n` +
      `[profile beta-readonly]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = ReadOnly\nregion = eu-west-1\n\n${blockEnd('corp')}\n`);
    assert.deepEqual(r.added, ['alpha-admin', 'beta-readonly']);
  });

  it('adds a line ending to a file without one, and creates a file from nothing', () => {
    const r = merge('[profile x]\nregion = a', roles(['1', 'A', 'R']));
    assert.ok(r.text.startsWith('[profile x]\nregion = a\n\n# >>>'));
    assert.ok(merge('', roles(['1', 'A', 'R'])).text.startsWith('# >>>'));
  });

  it('replaces the block where it is, leaving text before and after it byte for byte', () => {
    const first = merge(HAND, roles(['111111111111', 'Alpha', 'Admin']));
    const withAfter = `${first.text}\n[profile later]   \r\nregion=x\n`;
    const r = merge(withAfter, roles(['111111111111', 'Alpha', 'Admin'], ['333333333333', 'Gamma', 'Dev']));
    assert.equal(outside(r.text), outside(withAfter));
    assert.ok(r.text.endsWith('\n[profile later]   \r\nregion=x\n'));
    assert.deepEqual([r.added, r.unchanged], [['gamma-dev'], ['alpha-admin']]);
    const again = merge(r.text, roles(['111111111111', 'Alpha', 'Admin'], ['333333333333', 'Gamma', 'Dev']));
    assert.equal(again.text, r.text, 'a second run changes nothing');
    assert.deepEqual(again.unchanged, ['alpha-admin', 'gamma-dev']);
  });

  it('rewrites a generated profile edited by hand inside the block, reporting it updated', () => {
    const first = merge(HAND, roles(['111111111111', 'Alpha', 'Admin']));
    const edited = first.text.replace('sso_role_name = Admin\nregion = eu-west-1', 'sso_role_name = Admin\nregion = us-west-2');
    assert.notEqual(edited, first.text);
    const r = merge(edited, roles(['111111111111', 'Alpha', 'Admin']));
    assert.equal(r.text, first.text);
    assert.deepEqual(r.updated, ['alpha-admin']);
  });

  it('keeps and lists stale generated profiles without prune, removes them with it', () => {
    const first = merge(HAND, roles(['111111111111', 'Alpha', 'Admin'], ['222222222222', 'Beta', 'Gone']));
    const kept = merge(first.text, roles(['111111111111', 'Alpha', 'Admin']));
    assert.equal(kept.text, first.text);
    assert.deepEqual(kept.stale, [{ name: 'beta-gone', accountId: '222222222222', roleName: 'Gone' }]);
    const pruned = merge(first.text, roles(['111111111111', 'Alpha', 'Admin']), { prune: true });
    assert.doesNotMatch(pruned.text, /beta-gone/);
    assert.equal(outside(pruned.text), outside(first.text));
    const none = merge(first.text, [], { prune: true });
    assert.equal(none.text, `${HAND}\n`, 'an empty block is removed; the separator line stays');
  });

  it('replaces profiles renamed by a new template instead of calling them stale', () => {
    const first = merge(HAND, roles(['111111111111', 'Alpha', 'Admin']));
    const r = mergeGeneratedBlock({ text: first.text, file: 'f', session: 'corp', profiles: generatedProfiles(roles(['111111111111', 'Alpha', 'Admin']), { template: '{account_id}-{role_name}', session: 'corp', region: 'eu-west-1' }), prune: false, strict: false });
    assert.deepEqual([r.added, r.renamed.map((p) => p.name), r.stale], [['111111111111-admin'], ['alpha-admin'], []]);
    assert.doesNotMatch(r.text, /alpha-admin/);
  });

  it('skips a name written by hand (warning) or fails with strict; never touches that profile', () => {
    const hand = `${HAND}[profile alpha-admin]\nregion = mine\n`;
    const skipped = merge(hand, roles(['111111111111', 'Alpha', 'Admin'], ['2', 'B', 'Y']));
    assert.deepEqual(skipped.skipped, [{ name: 'alpha-admin', reason: 'a profile written by hand' }]);
    assert.ok(skipped.text.startsWith(hand));
    assert.equal(skipped.text.match(/\[profile alpha-admin\]/g)?.length, 1);
    assert.throws(() => merge(hand, roles(['111111111111', 'Alpha', 'Admin']), { strict: true }), (e: Error & { code?: string }) => e.code === 'PROFILE_NAME_CLASH' && /alpha-admin/.test(e.message));
  });

  it('keeps one block per sso-session and leaves the other session\'s block alone', () => {
    const a = merge(HAND, roles(['1', 'A', 'R']));
    const b = merge(a.text, roles(['2', 'B', 'R'], ['1', 'A', 'R']), { session: 'other' });
    assert.ok(b.text.startsWith(a.text), 'the first block is untouched');
    assert.deepEqual(b.skipped, [{ name: 'a-r', reason: 'a profile generated for sso-session corp' }]);
    assert.match(b.text, new RegExp(`${blockBegin('other').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n\\[profile b-r\\]`));
  });

  it('keeps CRLF line endings', () => {
    const crlf = HAND.replace(/\n/g, '\r\n');
    const r = merge(crlf, roles(['1', 'A', 'R']));
    assert.ok(r.text.startsWith(crlf));
    assert.doesNotMatch(r.text.slice(crlf.length), /[^\r]\n/);
  });

  it('refuses a block whose markers were damaged, naming the file and line', () => {
    const first = merge(HAND, roles(['1', 'A', 'R']));
    const noEnd = first.text.replace(/# <<<.*\n/, '');
    assert.throws(() => merge(noEnd, roles(['1', 'A', 'R'])), (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID' && /\/h\/\.aws\/config:12: the block of sso-session corp has no end marker/.test(e.message));
    const strayEnd = `${HAND}${blockEnd('corp')}\n`;
    assert.throws(() => merge(strayEnd, roles(['1', 'A', 'R'])), /without its begin marker/);
  });
});
