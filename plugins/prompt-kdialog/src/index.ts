export { kdialogArgs, kdialogAvailable, kdialogPrompt } from './kdialogPrompt.js';
export type { DialogPromptOptions } from './kdialogPrompt.js';
export { DEFAULT_PROMPT_TIMEOUT_MS, PROMPT_TIMEOUT_VARIABLE } from '@awsvault/core';
