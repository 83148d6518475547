export { credentialProcessProvider } from './credentialProcessProvider.js';
export type { CredentialProcessOptions } from './credentialProcessProvider.js';
export { parseProcessOutput, parseRfc3339 } from './parseProcessOutput.js';
export { default as processSourceHook } from './hooks/source.js';
