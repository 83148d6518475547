import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProfileConfig } from '@awsvault/core';
import { readWebIdentityToken } from './webIdentityToken.js';

let dir: string;
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vault-wi-token-'));
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
  writeFileSync(join(dir, 'blank'), ' \n');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'relative-token'), TOKEN);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const profile = (fields: Partial<ProfileConfig>): ProfileConfig =>
  ({ name: 'wi', hasSection: true, roleArn: 'arn:aws:iam::123456789012:role/web', assumeRoleDuration: 3600, origins: {}, ...fields }) as ProfileConfig;
const script = (body: string) => {
  const file = join(dir, `p${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, body);
  return `'${process.execPath}' '${file}'`;
};
const options = { env: process.env, ttyPath: null, stderr: { write: () => true } };

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp | string): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; message: string }) => {
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe('readWebIdentityToken', () => {
  it('reads the file verbatim, without trimming', async () => {
    assert.equal(await readWebIdentityToken(profile({ webIdentityTokenFile: join(dir, 'token') }), options), `${TOKEN}\n`);
  });

  it('resolves a relative path against the current directory', async () => {
    assert.equal(await readWebIdentityToken(profile({ webIdentityTokenFile: 'sub/relative-token' }), { ...options, cwd: dir }), TOKEN);
    assert.equal(await readWebIdentityToken(profile({ webIdentityTokenFile: './relative-token' }), { ...options, cwd: join(dir, 'sub') }), TOKEN);
  });

  it('names the profile and the file when it cannot be read', async () => {
    await rejectsWith(
      readWebIdentityToken(profile({ webIdentityTokenFile: 'missing-token' }), { ...options, cwd: dir }),
      'WEB_IDENTITY_TOKEN_UNREADABLE',
      `profile wi: cannot read web_identity_token_file ${join(dir, 'missing-token')}: no such file (ENOENT)`,
    );
    await rejectsWith(readWebIdentityToken(profile({ webIdentityTokenFile: join(dir, 'sub') }), options), 'WEB_IDENTITY_TOKEN_UNREADABLE', /sub: it is a directory \(EISDIR\)$/);
  });

  it('rejects an empty token', async () => {
    await rejectsWith(readWebIdentityToken(profile({ webIdentityTokenFile: join(dir, 'blank') }), options), 'WEB_IDENTITY_TOKEN_EMPTY', `profile wi: web_identity_token_file ${join(dir, 'blank')} is empty`);
    await rejectsWith(readWebIdentityToken(profile({ webIdentityTokenProcess: script('') }), options), 'WEB_IDENTITY_TOKEN_EMPTY', 'profile wi: web_identity_token_process printed no token');
  });

  it('takes the process\'s stdout verbatim', async () => {
    const line = script(`process.stderr.write('fetching token\\n'); process.stdout.write(${JSON.stringify(`${TOKEN}\r\n`)})`);
    assert.equal(await readWebIdentityToken(profile({ webIdentityTokenProcess: line }), options), `${TOKEN}\r\n`);
  });

  it('reports a failing process in one line with its last stderr line', async () => {
    const line = script(`process.stderr.write('not logged in\\n'); process.exit(2)`);
    await rejectsWith(readWebIdentityToken(profile({ webIdentityTokenProcess: line }), options), 'WEB_IDENTITY_TOKEN_PROCESS_FAILED', 'profile wi: web_identity_token_process exited with code 2: not logged in');
    await rejectsWith(readWebIdentityToken(profile({ webIdentityTokenProcess: "'" }), options), 'WEB_IDENTITY_TOKEN_PROCESS_SYNTAX', /^profile wi: web_identity_token_process has a ' quote that is never closed$/);
  });

  it('uses the file when both are set', async () => {
    const line = script(`process.stdout.write('from-process')`);
    assert.equal(await readWebIdentityToken(profile({ webIdentityTokenFile: join(dir, 'token'), webIdentityTokenProcess: line }), options), `${TOKEN}\n`);
  });
});
