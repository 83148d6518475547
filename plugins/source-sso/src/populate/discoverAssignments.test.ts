import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { discoverAssignments, type ProgressStore } from './discoverAssignments.js';
import { DiscoveryProgressFile, discoveryProgressPath, emptyProgress, type DiscoveryProgress } from './discoveryProgress.js';
import { awsError, fakeClock } from './fakeClock.test-helper.js';
import { RateLimiter } from './rateLimiter.js';
import type { SsoDirectoryApi } from './ssoDirectoryApi.js';

const START = 'https://x.awsapps.com/start';

/** A portal of `accounts` accounts with `roles` roles each, paging by index; can fail on chosen calls. */
function fakePortal(accounts: number, roles: string[], failOn?: (call: string, n: number) => Error | undefined) {
  const calls: string[] = [];
  const ids = Array.from({ length: accounts }, (_, i) => String(100000000000 + i));
  const fail = (call: string) => {
    calls.push(call);
    const error = failOn?.(call, calls.length);
    if (error) throw error;
  };
  const api: SsoDirectoryApi = {
    async listAccounts({ nextToken, maxResults }) {
      fail('ListAccounts');
      const start = Number(nextToken ?? 0);
      const page = ids.slice(start, start + maxResults).map((accountId) => ({ accountId, accountName: `Acct ${accountId}` }));
      return start + maxResults < ids.length ? { accounts: page, nextToken: String(start + maxResults) } : { accounts: page };
    },
    async listAccountRoles({ accountId, nextToken, maxResults }) {
      fail(`ListAccountRoles ${accountId}`);
      const start = Number(nextToken ?? 0);
      const page = roles.slice(start, start + maxResults);
      return start + maxResults < roles.length ? { roleNames: page, nextToken: String(start + maxResults) } : { roleNames: page };
    },
  };
  return { api, calls };
}

function memoryStore(): ProgressStore & { saved: DiscoveryProgress | undefined; saves: number } {
  return {
    saved: undefined,
    saves: 0,
    load() {
      return this.saved === undefined ? undefined : structuredClone(this.saved);
    },
    save(p) {
      this.saves++;
      this.saved = structuredClone(p);
    },
    clear() {
      this.saved = undefined;
    },
  };
}

const options = (api: SsoDirectoryApi, store: ProgressStore, clock = fakeClock()) => ({
  api, accessToken: 'tok', startUrl: START, store, clock, retry: { limiter: new RateLimiter(1000, clock), random: () => 0.5, baseMs: 10, maxRetries: 3 },
});

describe('discoverAssignments', () => {
  it('lists every account page and every role page', async () => {
    const { api, calls } = fakePortal(250, Array.from({ length: 130 }, (_, i) => `Role${i}`));
    const store = memoryStore();
    const result = await discoverAssignments(options(api, store));
    assert.equal(result.assignments.length, 250 * 130);
    assert.equal(calls.filter((c) => c === 'ListAccounts').length, 3, '100 per page');
    assert.equal(calls.length, 3 + 250 * 2, 'two role pages per account');
    assert.ok(store.saved, 'progress stays until the caller clears it');
  });

  it('resumes after an error: saved accounts and finished accounts are not asked again', async () => {
    const store = memoryStore();
    const broken = fakePortal(30, ['Admin', 'ReadOnly'], (call, n) => (n === 20 ? awsError('InternalServerException', 500) : undefined));
    await assert.rejects(discoverAssignments({ ...options(broken.api, store), concurrency: 1 }), /InternalServerException/);
    const saved = store.saved as DiscoveryProgress;
    assert.equal(saved.accountsComplete, true);
    assert.equal(Object.keys(saved.roles).length, 18, '1 ListAccounts call, 18 accounts done, the 19th failed');
    const again = fakePortal(30, ['Admin', 'ReadOnly']);
    const result = await discoverAssignments(options(again.api, store));
    assert.equal(result.assignments.length, 60);
    assert.equal(result.resumedAccounts, 18);
    assert.equal(again.calls.length, 12, 'only the 12 accounts not done');
    assert.ok(!again.calls.includes('ListAccounts'));
  });

  it('resumes an unfinished account listing from its page token, and restarts when the token is refused', async () => {
    const store = memoryStore();
    const broken = fakePortal(250, ['R'], (call, n) => (n === 2 ? awsError('InternalServerException', 500) : undefined));
    await assert.rejects(discoverAssignments(options(broken.api, store)));
    assert.equal(store.saved?.accounts.length, 100);
    assert.equal(store.saved?.accountsNextToken, '100');
    const again = fakePortal(250, ['R']);
    assert.equal((await discoverAssignments(options(again.api, store))).assignments.length, 250);
    assert.equal(again.calls.filter((c) => c === 'ListAccounts').length, 2);

    store.saved = { ...emptyProgress(START, fakeClock().now()), accounts: [{ accountId: '1', accountName: 'x' }], accountsNextToken: 'expired' };
    const refusing = fakePortal(5, ['R'], (call, n) => (n === 1 ? awsError('InvalidRequestException', 400) : undefined));
    const result = await discoverAssignments(options(refusing.api, store));
    assert.equal(result.assignments.length, 5, 'listed again from the start');
    assert.ok(!result.assignments.some((a) => a.accountId === '1'));
  });

  it('retries throttled calls and still finishes', async () => {
    let throttles = 0;
    const { api } = fakePortal(10, ['A', 'B'], (_, n) => (n % 3 === 0 ? (throttles++, awsError('TooManyRequestsException', 429)) : undefined));
    const result = await discoverAssignments(options(api, memoryStore()));
    assert.equal(result.assignments.length, 20);
    assert.ok(throttles > 0);
  });

  it('stops all workers on an error that is not throttling', async () => {
    const { api, calls } = fakePortal(50, ['A'], (call) => (call === 'ListAccountRoles 100000000003' ? awsError('UnauthorizedException', 401) : undefined));
    await assert.rejects(discoverAssignments({ ...options(api, memoryStore()), concurrency: 4 }), /UnauthorizedException/);
    assert.ok(calls.length < 20, `stopped early (${calls.length} calls)`);
  });
});

describe('DiscoveryProgressFile', () => {
  it('saves with mode 0600, loads only its own recent progress, and clears', () => {
    const home = mkdtempSync(join(tmpdir(), 'vault-progress-'));
    try {
      const path = discoveryProgressPath(home, START);
      const file = new DiscoveryProgressFile(path);
      const now = Date.now();
      assert.equal(file.load(START, now), undefined);
      const progress = { ...emptyProgress(START, now), accounts: [{ accountId: '1', accountName: 'a' }], roles: { '1': ['R'] } };
      file.save(progress);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.deepEqual(file.load(START, now), progress);
      assert.equal(file.load('https://other/start', now), undefined, 'another start URL');
      assert.equal(file.load(START, now + 25 * 3600 * 1000), undefined, 'too old');
      writeFileSync(path, '{"version":1,"startUrl":"x"');
      assert.equal(file.load(START, now), undefined, 'damaged');
      const leftover = `${path.replace(/[^/]+$/, '')}.${path.split('/').pop()}.0a1b2c.tmp`;
      writeFileSync(leftover, 'partial');
      file.clear();
      file.clear();
      assert.equal(existsSync(path) || existsSync(leftover), false, 'the file and a killed save\'s temp file are gone');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
