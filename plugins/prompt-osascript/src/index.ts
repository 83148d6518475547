export { appleScriptString, osascriptArgs, osascriptAvailable, osascriptPrompt, osascriptScript } from './osascriptPrompt.js';
export type { DialogPromptOptions } from './osascriptPrompt.js';
export { DEFAULT_PROMPT_TIMEOUT_MS, PROMPT_TIMEOUT_VARIABLE } from '@awsvault/core';
