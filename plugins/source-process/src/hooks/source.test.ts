import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadAwsConfig, providerForProfile, resolveProfile, type ProfileConfig } from '@awsvault/core';
import { fixedPrompt, memoryBackend } from '@awsvault/core/testing';
import hook from './source.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
let dir: string;
let counter: string;
let config: ReturnType<typeof loadAwsConfig>;

/**
 * A credential_process line running a node script that counts its runs in `counter`. It starts with
 * `/usr/bin/env` because core's ini reader (like go-ini, but further) keeps only the quoted part of a
 * value that begins with a quote.
 */
function processLine(name: string, document: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(counter)}, ${JSON.stringify(`${name}\n`)});\nprocess.stdout.write(JSON.stringify(${document}));\n`);
  return `"${process.execPath}" "${file}"`;
}
const runs = (name: string) => readFileSync(counter, 'utf8').split('\n').filter((line) => line === name).length;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vault-process-source-'));
  counter = join(dir, 'runs');
  writeFileSync(counter, '');
  const session = `{ Version: 1, AccessKeyId: 'ASIAPROCESS', SecretAccessKey: '${SECRET}', SessionToken: 'tok', Expiration: new Date(Date.now() + 3600e3).toISOString() }`;
  const longTerm = `{ Version: 1, AccessKeyId: 'AKIALONGTERM', SecretAccessKey: '${SECRET}' }`;
  const configFile = join(dir, 'config');
  writeFileSync(
    configFile,
    [
      '[profile cp]',
      `credential_process = /usr/bin/env ${processLine('cp', session)}`,
      '[profile issue1176]',
      `credential_process = /usr/bin/env ${processLine('issue1176', session)}`,
      'mfa_serial = arn:aws:iam::111111111111:mfa/jonsmith',
      '[profile longterm]',
      `credential_process = /usr/bin/env ${processLine('longterm', longTerm)}`,
      '[profile plain]',
      'region = eu-west-1',
      '',
    ].join('\n'),
  );
  config = loadAwsConfig({ configFile, credentialsFile: join(dir, 'credentials') });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const profile = (name: string): ProfileConfig => resolveProfile(config, name, { env: {} });

async function compose(name: string, backend = memoryBackend()) {
  const prompt = fixedPrompt('123456');
  const lines: string[] = [];
  const provider = await providerForProfile(profile(name), {
    backend,
    env: { ...process.env, AWS_VAULT_CREDENTIAL_PROCESS_TIMEOUT: '20s' },
    mfaPrompt: prompt,
    sources: [await hook()],
    debug: (line) => lines.push(line),
  });
  return { provider, prompt, lines, backend };
}

describe('the process source hook', () => {
  it('declares the process source with aws-vault\'s session type', async () => {
    const definition = await hook();
    assert.equal(definition.kind, 'source');
    assert.equal(definition.name, 'process');
    assert.equal(definition.sessionType, 'credential_process');
    assert.equal(definition.sessionKeyDetail, undefined, 'the third field of the session key is empty');
    assert.equal(definition.matches(profile('cp')), true);
    assert.equal(definition.matches(profile('plain')), false);
  });

  it('caches credentials that carry an Expiration: the second run does not start the process', async () => {
    const backend = memoryBackend();
    const first = await (await compose('cp', backend)).provider();
    assert.equal(first.accessKeyId, 'ASIAPROCESS');
    assert.equal(first.sessionToken, 'tok');
    assert.equal(runs('cp'), 1);
    const keys = await backend.keys();
    assert.equal(keys.length, 1);
    assert.match(keys[0] ?? '', /^credential_process,Y3A,,\d+$/);

    const { provider, lines } = await compose('cp', backend);
    const second = await provider();
    assert.equal(second.accessKeyId, 'ASIAPROCESS');
    assert.equal(runs('cp'), 1, 'served from the session cache');
    assert.ok(lines.some((line) => /re-using cached credentials \*+CESS from credential_process/.test(line)), lines.join('\n'));
  });

  it('returns long-term keys without caching them', async () => {
    const backend = memoryBackend();
    for (let i = 0; i < 2; i++) {
      const { provider, lines } = await compose('longterm', backend);
      assert.deepEqual(await provider(), { accessKeyId: 'AKIALONGTERM', secretAccessKey: SECRET });
      assert.ok(lines.every((line) => !line.includes(SECRET)), 'no secret in debug output');
    }
    assert.equal(runs('longterm'), 2);
    assert.deepEqual(await backend.keys(), []);
  });

  it('aws-vault issue 1176: credential_process with mfa_serial still uses the process, and never asks for MFA', async () => {
    const { provider, prompt, lines } = await compose('issue1176');
    const credentials = await provider();
    assert.equal(credentials.accessKeyId, 'ASIAPROCESS');
    assert.deepEqual(prompt.asked, []);
    assert.ok(lines.includes('profile issue1176: using credential source process'), lines.join('\n'));
  });
});
