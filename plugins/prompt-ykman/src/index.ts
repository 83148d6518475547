export { ykmanArgs, ykmanAvailable, ykmanPrompt } from './ykmanPrompt.js';
export type { YkmanPromptOptions } from './ykmanPrompt.js';
export { DEFAULT_PROMPT_TIMEOUT_MS, PROMPT_TIMEOUT_VARIABLE } from '@awsvault/core';
