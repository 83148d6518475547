import { backendContract } from './backendContract.js';
import { memoryBackend } from './memoryBackend.js';

backendContract('memory', async () => memoryBackend());
