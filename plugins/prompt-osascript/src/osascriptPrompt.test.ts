import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import hook from './hooks/prompt.js';
import { appleScriptString, osascriptArgs, osascriptAvailable, osascriptScript } from './index.js';
import { dialogPromptSuite } from '@awsvault/core/testing';

const script = (serial: string) =>
  `display dialog ${appleScriptString(`Enter MFA code for ${serial}: `)} default answer "" buttons {"OK", "Cancel"} default button 1\n` +
  'text returned of the result\n' +
  'return result';

// A fake osascript: the tests run on Linux CI, where there is no macOS to show a dialog.
dialogPromptSuite({
  program: 'osascript',
  why: 'no macOS in CI, so a script stands in for osascript',
  hook,
  expectedArgs: (serial) => ['-e', script(serial)],
  availableHere: process.platform === 'darwin',
});

describe('the AppleScript', () => {
  it('is aws-vault\'s dialog with the message as a string literal', () => {
    assert.deepEqual(osascriptArgs('arn:aws:iam::1:mfa/a'), [
      '-e',
      'display dialog "Enter MFA code for arn:aws:iam::1:mfa/a: " default answer "" buttons {"OK", "Cancel"} default button 1\n' +
        'text returned of the result\n' +
        'return result',
    ]);
    assert.equal(osascriptScript('x'), osascriptArgs('x')[1]);
  });

  it('escapes quotes, backslashes and control characters so the serial stays data', () => {
    assert.equal(appleScriptString('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(appleScriptString('line\nnext\ttab\r'), '"line\\nnext\\ttab\\r"');
    assert.equal(appleScriptString('bell\u0007del\u007f'), '"bell del "');
    assert.equal(appleScriptString('" & (do shell script "touch /tmp/x") & "'), '"\\" & (do shell script \\"touch /tmp/x\\") & \\""');
  });

  it('is available only on macOS with osascript on PATH', () => {
    const env = { PATH: '/usr/bin:/bin' };
    assert.equal(osascriptAvailable({ env }, 'linux'), false);
    assert.equal(osascriptAvailable({ env: { PATH: '' } }, 'darwin'), false);
  });
});
