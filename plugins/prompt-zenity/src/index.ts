export { zenityArgs, zenityAvailable, zenityPrompt } from './zenityPrompt.js';
export type { DialogPromptOptions } from './zenityPrompt.js';
export { DEFAULT_PROMPT_TIMEOUT_MS, PROMPT_TIMEOUT_VARIABLE } from '@awsvault/core';
