export { memoryBackend } from './memoryBackend.js';
export { fixedPrompt } from './fixedPrompt.js';
export { backendContract } from './backendContract.js';
export { fakeProgram } from './fakeProgram.js';
export type { FakeCall, FakeProgram } from './fakeProgram.js';
export { dialogPromptSuite, promptContext, rejectsWithVaultError, TEST_MFA_SERIAL } from './dialogPromptSuite.js';
export type { DialogPromptSuiteOptions } from './dialogPromptSuite.js';
export { runInPty, ptyAvailable, nodeModuleArgv, runWithoutTerminal } from './runInPty.js';
export type { PtyStep, PtyRun } from './runInPty.js';
