import { startEmulator, type Emulator } from '../emulator/server.js';
import type { CreatedUser } from '../emulator/state.js';
import { runVault, type RunResult } from './run.js';
import { tempHome, type TempHome } from './tempHome.js';

/** An emulator, a throw-away HOME, and one IAM user whose keys are stored as profile `dev`. */
export interface Scenario {
  emulator: Emulator;
  home: TempHome;
  user: CreatedUser;
  vault(args: string[], extraEnv?: Record<string, string>): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startScenario(configBody = ''): Promise<Scenario> {
  const emulator = await startEmulator();
  const home = tempHome();
  const user = emulator.state.createUser('alice');
  home.writeConfig(`[profile dev]\nregion = us-east-1\nendpoint_url = ${emulator.url}\n${configBody}`);
  const vault = (args: string[], extraEnv: Record<string, string> = {}) => runVault(args, { ...home.env, ...extraEnv });
  const added = await vault(['add', '--env', 'dev'], { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey });
  if (added.code !== 0) throw new Error(`vault add failed: ${added.stderr}`);
  return {
    emulator,
    home,
    user,
    vault,
    close: async () => {
      await emulator.close();
      home.cleanup();
    },
  };
}
