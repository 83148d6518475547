export { terminalPrompt } from './terminalPrompt.js';
