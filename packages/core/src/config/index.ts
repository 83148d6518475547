// `@awsvault/core/config`: the config reader alone, for callers that must start fast (shell
// completion runs it at every TAB) and need none of the providers.
export type { ConfigFilePaths } from './configFiles.js';
export { configFilePaths, homeDirectory, expandHome } from './configFiles.js';
export type { AwsConfig, RawSection, ServicesSection } from './loadAwsConfig.js';
export { loadAwsConfig, PROFILE_KEYS } from './loadAwsConfig.js';
