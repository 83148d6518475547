import { timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the browser brought back to the redirect URI. */
export type RedirectResult = { code: string } | { error: string; description?: string };

export interface LoopbackListener {
  /** `http://127.0.0.1:<port><path>`, to send as `redirect_uri`. */
  redirectUri: string;
  /** Resolves with the first redirect that carries the expected `state`; rejects after `timeoutMs`. */
  result(timeoutMs: number): Promise<RedirectResult>;
  close(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>vault: ${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(html);
}

function sameState(got: string | null, want: string): boolean {
  if (got === null) return false;
  const a = Buffer.from(got);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A one-shot HTTP listener on 127.0.0.1 (a free port) for the OAuth redirect of the PKCE flow.
 * A request whose `state` is not this login's gets 400 and is otherwise ignored, so a stray or
 * forged redirect can neither complete nor cancel the login.
 */
export async function listenForRedirect(options: { state: string; path?: string }): Promise<LoopbackListener> {
  const path = options.path ?? '/oauth/callback';
  let deliver: (result: RedirectResult) => void = () => {};
  let delivered: RedirectResult | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== path) {
      page(res, 404, 'Not found', 'This address only receives the sign-in redirect of vault.');
      return;
    }
    if (!sameState(url.searchParams.get('state'), options.state)) {
      page(res, 400, 'Sign-in response not accepted', 'This response does not belong to the sign-in vault is waiting for (its state does not match). Start the sign-in again from the terminal.');
      return;
    }
    if (delivered) {
      page(res, 200, 'Already done', 'vault has already received this sign-in. You can close this tab.');
      return;
    }
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error || !code) {
      const description = url.searchParams.get('error_description') ?? undefined;
      delivered = { error: error ?? 'invalid_request', ...(description ? { description } : {}) };
      page(res, 200, 'Sign-in not completed', `The sign-in was not completed (${delivered.error}). Return to the terminal.`);
    } else {
      delivered = { code };
      page(res, 200, 'Signed in', 'vault received the sign-in. You can close this tab and return to the terminal.');
    }
    deliver(delivered);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}${path}`,
    result: (timeoutMs) =>
      new Promise<RedirectResult>((resolve, reject) => {
        if (delivered) {
          resolve(delivered);
          return;
        }
        const timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        deliver = (result) => {
          clearTimeout(timer);
          resolve(result);
        };
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
