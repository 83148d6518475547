// Loaded with `node --import`: records every module the process resolves into the file named by
// VAULT_TRACE_IMPORTS (as URLs, one per line), so a test can prove what a command loaded. ES modules
// are seen through a loader hook; CommonJS require() calls (the fast path's bundle is CommonJS)
// through the CommonJS loader's resolver.
import { appendFileSync } from 'node:fs';
import { createRequire, isBuiltin, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env['VAULT_TRACE_IMPORTS'];
register(new URL('./traceImportsHooks.js', import.meta.url), { data: { file } });

type Resolver = (request: string, ...rest: unknown[]) => string;
const cjsLoader = createRequire(import.meta.url)('node:module') as { _resolveFilename: Resolver };
const resolveFilename = cjsLoader._resolveFilename;
cjsLoader._resolveFilename = function traced(this: unknown, request: string, ...rest: unknown[]): string {
  const resolved = resolveFilename.call(this, request, ...rest);
  if (file) appendFileSync(file, `${isBuiltin(resolved) ? (resolved.startsWith('node:') ? resolved : `node:${resolved}`) : pathToFileURL(resolved).href}\n`);
  return resolved;
};
