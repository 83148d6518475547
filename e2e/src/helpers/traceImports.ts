// Loaded with `node --import`: records every module URL the process resolves through the ESM
// loader into the file named by VAULT_TRACE_IMPORTS, so a test can prove what a command loaded.
import { register } from 'node:module';

register(new URL('./traceImportsHooks.js', import.meta.url), { data: { file: process.env['VAULT_TRACE_IMPORTS'] } });
