import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startScenario, type Scenario } from '../helpers/scenario.js';

describe('parallel processes on an expired session', () => {
  let s: Scenario;
  let codeFile: string;
  let countFile: string;
  before(async () => {
    s = await startScenario();
    const device = s.emulator.state.createMfaDevice(s.user.userName);
    codeFile = join(s.home.dir, 'mfa-code');
    countFile = join(s.home.dir, 'mfa-count');
    writeFileSync(codeFile, device.code());
    writeFileSync(countFile, '');
    // mfa_process stands in for the person typing the code; it counts how often it is asked.
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\nmfa_serial = ${device.serialNumber}\n` +
        `mfa_process = echo asked >> '${countFile}'; cat '${codeFile}'\n`,
    );
  });
  after(() => s.close());

  it('20 concurrent exports make one GetSessionToken call and ask for one MFA code', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => s.vault(['export', '--format=json', 'dev'])));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const keys = new Set(results.map((r) => JSON.parse(r.stdout).AccessKeyId));
    assert.equal(keys.size, 1, 'every process got the same session');
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 1);
    assert.equal(readFileSync(countFile, 'utf8').trim().split('\n').length, 1);
  });
});
