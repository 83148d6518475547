import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { formatCredentials, formatEnv } from './formatCredentials.js';

const session = { accessKeyId: 'ASIAX', secretAccessKey: "se'c\\ret", sessionToken: 'tok', expiration: new Date('2024-01-01T00:00:00.000Z') };
const longTerm = { accessKeyId: 'ABC', secretAccessKey: 'XYZ' };

describe('formatCredentials', () => {
  it('json is credential_process Version 1, two-space indented, with a trailing newline', () => {
    assert.equal(
      formatCredentials('json', 'p', session, 'us-east-1'),
      `{\n  "Version": 1,\n  "AccessKeyId": "ASIAX",\n  "SecretAccessKey": "se'c\\\\ret",\n  "SessionToken": "tok",\n  "Expiration": "2024-01-01T00:00:00Z"\n}\n`,
    );
    assert.deepEqual(JSON.parse(formatCredentials('json', 'p', longTerm, undefined)), { Version: 1, AccessKeyId: 'ABC', SecretAccessKey: 'XYZ' });
  });

  it('ini matches aws-vault: section named after the profile, key=value, only what is set', () => {
    assert.equal(formatCredentials('ini', 'llamas', longTerm, 'us-east-1'), '[llamas]\naws_access_key_id=ABC\naws_secret_access_key=XYZ\nregion=us-east-1\n');
  });

  it('env and export-env are unquoted lines in aws-vault order', () => {
    const env = formatCredentials('env', 'p', session, 'eu-west-1');
    assert.equal(env, `AWS_ACCESS_KEY_ID=ASIAX\nAWS_SECRET_ACCESS_KEY=se'c\\ret\nAWS_SESSION_TOKEN=tok\nAWS_CREDENTIAL_EXPIRATION=2024-01-01T00:00:00Z\nAWS_REGION=eu-west-1\nAWS_DEFAULT_REGION=eu-west-1\n`);
    assert.equal(formatCredentials('export-env', 'p', longTerm, undefined), 'export AWS_ACCESS_KEY_ID=ABC\nexport AWS_SECRET_ACCESS_KEY=XYZ\n');
  });

  it('fish, powershell and dotenv quote values so odd characters survive', () => {
    assert.match(formatCredentials('fish', 'p', session, undefined), /^set -gx AWS_SECRET_ACCESS_KEY 'se\\'c\\\\ret';$/m);
    assert.match(formatCredentials('powershell', 'p', session, undefined), /^\$env:AWS_SECRET_ACCESS_KEY = 'se''c\\ret'$/m);
    assert.match(formatCredentials('dotenv', 'p', session, undefined), /^AWS_SECRET_ACCESS_KEY="se'c\\\\ret"$/m);
  });
});

describe('formatCredentials: nu and cmd', () => {
  it('nu is one load-env record with double-quoted, escaped values', () => {
    assert.equal(
      formatCredentials('nu', 'p', session, 'eu-west-1'),
      'load-env {\n  AWS_ACCESS_KEY_ID: "ASIAX"\n  AWS_SECRET_ACCESS_KEY: "se\'c\\\\ret"\n  AWS_SESSION_TOKEN: "tok"\n'
        + '  AWS_CREDENTIAL_EXPIRATION: "2024-01-01T00:00:00Z"\n  AWS_REGION: "eu-west-1"\n  AWS_DEFAULT_REGION: "eu-west-1"\n}\n',
    );
  });

  it('cmd is set "NAME=value" lines, % doubled for a batch file', () => {
    assert.equal(formatCredentials('cmd', 'p', longTerm, undefined), 'set "AWS_ACCESS_KEY_ID=ABC"\nset "AWS_SECRET_ACCESS_KEY=XYZ"\n');
    assert.match(formatEnv('cmd', [['A', '50%off']]), /^set "A=50%%off"$/m);
  });
});

describe('formatEnv', () => {
  const pairs = [['URL', 'http://127.0.0.1:9/profile/dev'], ['ODD', `it's "a" \\ $x\n`], ['GONE', null]] as const;

  it('renders every shell, unsetting null names where the shell can', () => {
    assert.equal(formatEnv('env', pairs.slice(0, 1)), 'URL=http://127.0.0.1:9/profile/dev\n');
    assert.equal(formatEnv('export-env', pairs), `export URL=http://127.0.0.1:9/profile/dev\nexport ODD='it'\\''s "a" \\ $x\n'\nunset GONE\n`);
    assert.equal(formatEnv('dotenv', pairs), `URL="http://127.0.0.1:9/profile/dev"\nODD="it's \\"a\\" \\\\ $x\\n"\n`);
    assert.equal(formatEnv('fish', pairs), `set -gx URL 'http://127.0.0.1:9/profile/dev';\nset -gx ODD 'it\\'s "a" \\\\ $x\n';\nset -e GONE;\n`);
    assert.equal(formatEnv('powershell', pairs), `$env:URL = 'http://127.0.0.1:9/profile/dev'\n$env:ODD = 'it''s "a" \\ $x\n'\nRemove-Item -ErrorAction SilentlyContinue Env:GONE\n`);
    assert.equal(formatEnv('nu', pairs), `load-env {\n  URL: "http://127.0.0.1:9/profile/dev"\n  ODD: "it's \\"a\\" \\\\ $x\\u{a}"\n}\nhide-env --ignore-errors GONE\n`);
    assert.equal(formatEnv('cmd', [['URL', 'x'], ['GONE', null]]), 'set "URL=x"\nset "GONE="\n');
    assert.deepEqual(JSON.parse(formatEnv('json', pairs)), { URL: 'http://127.0.0.1:9/profile/dev', ODD: `it's "a" \\ $x\n`, GONE: null });
  });

  it('export-env survives a real POSIX shell with odd values', () => {
    const script = `${formatEnv('export-env', pairs)}printf '%s' "$ODD"; [ -z "\${GONE+x}" ] && printf ' unset'`;
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', GONE: 'was here' } });
    assert.equal(r.stdout, `it's "a" \\ $x\n unset`);
  });

  it('refuses what cmd cannot hold and names nothing secret', () => {
    assert.throws(() => formatEnv('cmd', [['T', 'a"b']]), (e: Error) => /T cannot be written safely for cmd/.test(e.message) && !e.message.includes('a"b'));
    assert.throws(() => formatEnv('cmd', [['T', 'a\nb']]), /cmd/);
    assert.throws(() => formatEnv('env', [['BAD NAME', 'x']]), /variable name/);
  });
});
