export { webIdentityProvider } from './webIdentityProvider.js';
export type { WebIdentityOptions } from './webIdentityProvider.js';
export { readWebIdentityToken } from './webIdentityToken.js';
export type { TokenOptions } from './webIdentityToken.js';
export { default as webIdentitySourceHook } from './hooks/source.js';
