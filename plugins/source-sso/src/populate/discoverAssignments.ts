import { awsErrorCode } from '@awsvault/core';
import { realClock, type Clock } from './clock.js';
import { emptyProgress, type DiscoveryProgress } from './discoveryProgress.js';
import { retryThrottled, type ThrottleRetryOptions } from './retryThrottled.js';
import type { SsoDirectoryApi } from './ssoDirectoryApi.js';

/** One account role the signed-in person can use. */
export interface Assignment {
  accountId: string;
  accountName: string;
  roleName: string;
}

/** Where progress is kept between runs; `DiscoveryProgressFile` on disk, a variable in tests. */
export interface ProgressStore {
  load(startUrl: string, now: number): DiscoveryProgress | undefined;
  save(progress: DiscoveryProgress): void;
  clear(): void;
}

export interface DiscoverOptions {
  api: SsoDirectoryApi;
  accessToken: string;
  startUrl: string;
  store: ProgressStore;
  retry: ThrottleRetryOptions;
  clock?: Clock;
  /** Accounts whose roles are listed at once; the limiter still spaces the requests. */
  concurrency?: number;
  /** Called after each account's roles are known. */
  onProgress?: (accountsDone: number, accountsTotal: number) => void;
}

export interface Discovery {
  assignments: Assignment[];
  /** Accounts whose roles came from saved progress instead of the portal. */
  resumedAccounts: number;
}

/** The API's largest page. */
const PAGE_SIZE = 100;
const DEFAULT_CONCURRENCY = 4;

/**
 * Lists every account (sso:ListAccounts) and each account's roles (sso:ListAccountRoles), page by
 * page, through the limiter and throttle retries. Progress is saved after every page of accounts
 * and every account done, so a run that stops continues there (the caller clears it once the result
 * is used). Errors (after retries) leave the progress saved and propagate.
 */
export async function discoverAssignments(options: DiscoverOptions): Promise<Discovery> {
  const clock = options.clock ?? realClock;
  const { api, accessToken, store, startUrl } = options;
  const call = <T>(name: string, fn: () => Promise<T>) => retryThrottled(name, fn, { ...options.retry, clock: options.retry.clock ?? clock });
  const saved = store.load(startUrl, clock.now());
  const progress = saved ?? emptyProgress(startUrl, clock.now());
  const save = () => {
    progress.savedAt = clock.now();
    store.save(progress);
  };

  while (!progress.accountsComplete) {
    const resumedToken = progress.accountsNextToken;
    let page;
    try {
      page = await call('sso:ListAccounts', () =>
        api.listAccounts({ accessToken, maxResults: PAGE_SIZE, ...(progress.accountsNextToken ? { nextToken: progress.accountsNextToken } : {}) }),
      );
    } catch (error) {
      // A page token from an earlier run may no longer be accepted: list the accounts from the start.
      if (resumedToken !== undefined && saved !== undefined && isBadInput(error)) {
        progress.accounts = [];
        delete progress.accountsNextToken;
        continue;
      }
      throw error;
    }
    const known = new Set(progress.accounts.map((a) => a.accountId));
    for (const account of page.accounts) if (!known.has(account.accountId)) progress.accounts.push(account);
    if (page.nextToken) progress.accountsNextToken = page.nextToken;
    else {
      delete progress.accountsNextToken;
      progress.accountsComplete = true;
    }
    save();
  }

  const total = progress.accounts.length;
  const resumedAccounts = progress.accounts.filter((a) => progress.roles[a.accountId] !== undefined).length;
  let done = resumedAccounts;
  options.onProgress?.(done, total);
  const queue = progress.accounts.filter((a) => progress.roles[a.accountId] === undefined);
  const worker = async () => {
    for (let account = queue.shift(); account; account = queue.shift()) {
      const roles: string[] = [];
      let nextToken: string | undefined;
      do {
        const id = account.accountId;
        const token: string | undefined = nextToken;
        const page = await call(`sso:ListAccountRoles (account ${id})`, () =>
          api.listAccountRoles({ accessToken, accountId: id, maxResults: PAGE_SIZE, ...(token ? { nextToken: token } : {}) }),
        );
        roles.push(...page.roleNames);
        nextToken = page.nextToken;
      } while (nextToken);
      progress.roles[account.accountId] = [...new Set(roles)];
      save();
      options.onProgress?.(++done, total);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, queue.length));
  // One failing worker stops the others from taking new accounts; what is done stays saved.
  const running = Array.from({ length: workers }, () =>
    worker().catch((error: unknown) => {
      queue.length = 0;
      throw error;
    }),
  );
  const results = await Promise.allSettled(running);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;

  const assignments: Assignment[] = [];
  for (const account of progress.accounts) {
    for (const roleName of progress.roles[account.accountId] ?? []) assignments.push({ accountId: account.accountId, accountName: account.accountName, roleName });
  }
  return { assignments, resumedAccounts };
}

function isBadInput(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code === 'InvalidRequestException' || code === 'ValidationException';
}
