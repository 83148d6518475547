import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileConfig } from '../config/ProfileConfig.js';
import { isVaultError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { fixedPrompt } from '../testing/index.js';
import { mfaCodeSource } from './mfaCodeSource.js';

const SERIAL = 'arn:aws:iam::111111111111:mfa/jonsmith';
const skipShell = process.platform === 'win32' ? 'needs /bin/sh' : false;

function profile(fields: Partial<ProfileConfig> = {}): ProfileConfig {
  return {
    name: 'dev',
    hasSection: true,
    assumeRoleDuration: 3600,
    sessionTokenDuration: 3600,
    chainedSessionTokenDuration: 28_800,
    federationTokenDuration: 3600,
    durationFromFlag: false,
    origins: {},
    ...fields,
  };
}

describe('mfaCodeSource: --mfa-token, then mfa_process, then the prompt', () => {
  it('asks the prompt with the serial', async () => {
    const prompt = fixedPrompt('111111');
    assert.equal(await mfaCodeSource(prompt, silentLogger)(SERIAL, profile()), '111111');
    assert.deepEqual(prompt.asked, [SERIAL]);
  });

  it('uses --mfa-token without prompting', async () => {
    const prompt = fixedPrompt('111111');
    assert.equal(await mfaCodeSource(prompt, silentLogger)(SERIAL, profile({ mfaToken: '222222', mfaProcess: 'exit 1' })), '222222');
    assert.deepEqual(prompt.asked, []);
  });

  it('runs mfa_process through the shell and trims its output', { skip: skipShell }, async () => {
    const prompt = fixedPrompt('111111');
    assert.equal(await mfaCodeSource(prompt, silentLogger)(SERIAL, profile({ mfaProcess: 'printf "  333333\\n"' })), '333333');
    assert.deepEqual(prompt.asked, []);
  });

  it('reports a failing mfa_process as MFA_PROCESS_FAILED naming the profile', { skip: skipShell }, async () => {
    await assert.rejects(mfaCodeSource(fixedPrompt('1'), silentLogger)(SERIAL, profile({ mfaProcess: 'exit 3' })), (error: unknown) => {
      assert.ok(isVaultError(error));
      assert.equal(error.code, 'MFA_PROCESS_FAILED');
      assert.match(error.message, /profile dev: mfa_process exited with code 3/);
      return true;
    });
  });

  it('reports an mfa_process that prints nothing', { skip: skipShell }, async () => {
    await assert.rejects(mfaCodeSource(fixedPrompt('1'), silentLogger)(SERIAL, profile({ mfaProcess: 'true' })), /printed no code/);
  });

  it('asks once per serial within one source, and separately for another serial', async () => {
    const prompt = fixedPrompt('111111', '222222');
    const source = mfaCodeSource(prompt, silentLogger);
    assert.equal(await source(SERIAL, profile()), '111111');
    assert.equal(await source(SERIAL, profile({ name: 'other' })), '111111');
    assert.equal(await source('arn:aws:iam::111111111111:mfa/second', profile()), '222222');
    assert.deepEqual(prompt.asked, [SERIAL, 'arn:aws:iam::111111111111:mfa/second']);
  });
});
