export { memoryBackend } from './memoryBackend.js';
export { fixedPrompt } from './fixedPrompt.js';
export { backendContract } from './backendContract.js';
