// Loaded with `node --import`: records the URL of every module the process resolves through the ESM
// loader into the file named by VAULT_TRACE_IMPORTS, so a test can see whether openpgp was loaded.
// (The same idea as e2e's tracer, kept here so this package's tests stand alone.)
import { register } from 'node:module';

register(new URL('./traceImportsHooks.test-helper.js', import.meta.url), { data: { file: process.env['VAULT_TRACE_IMPORTS'] } });
