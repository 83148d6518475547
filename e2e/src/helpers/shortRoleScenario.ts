import { join } from 'node:path';
import type { CreatedMfaDevice } from '../emulator/state.js';
import { startScenario, type Scenario } from './scenario.js';

/**
 * A scenario whose `admin` role (MFA required, from `dev`'s stored keys) gives sessions that end
 * `lifetimeS` seconds from now: the emulator's clock runs 900 - lifetimeS seconds behind, and 900 s is
 * the shortest session STS allows. Both profiles take their code from `mfa_process`, which appends a
 * line to `<home>/mfa-calls` and prints `<home>/mfa-code` (the test writes the code there).
 */
export async function startShortRoleScenario(lifetimeS: number): Promise<{ s: Scenario; device: CreatedMfaDevice }> {
  const s = await startScenario();
  s.emulator.state.advanceClock(-(900 - lifetimeS) * 1000);
  const device = s.emulator.state.createMfaDevice(s.user.userName);
  const admin = s.emulator.state.createRole({ name: 'admin', trustedPrincipals: [s.user.arn], requireMfa: true }).arn;
  const mfaProcess = `echo x >> ${join(s.home.dir, 'mfa-calls')}; cat ${join(s.home.dir, 'mfa-code')}`;
  s.home.writeConfig(
    `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\nmfa_serial = ${device.serialNumber}\nmfa_process = ${mfaProcess}\n\n` +
      `[profile admin]\nsource_profile = dev\nrole_arn = ${admin}\nmfa_serial = ${device.serialNumber}\nmfa_process = ${mfaProcess}\nduration_seconds = 900\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n`,
  );
  return { s, device };
}
