import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVaultError } from '../errors.js';
import { parseIni } from './parseIni.js';

const PATH = '/home/u/.aws/config';

/** The section's keys as a plain object, values only. */
function keys(text: string, section: string): Record<string, string> {
  const parsed = parseIni(text, PATH).sections.get(section);
  assert.ok(parsed, `section [${section}] missing`);
  return Object.fromEntries([...parsed.entries].map(([key, entry]) => [key, entry.value]));
}

function assertSyntaxError(text: string, line: number, pattern?: RegExp): void {
  assert.throws(
    () => parseIni(text, PATH),
    (error: unknown) => {
      assert.ok(isVaultError(error), `expected a VaultError, got ${String(error)}`);
      assert.equal(error.code, 'CONFIG_SYNTAX');
      assert.ok(error.message.includes(`${PATH}:${line}`), `message ${JSON.stringify(error.message)} should name ${PATH}:${line}`);
      if (pattern) assert.match(error.message, pattern);
      assert.ok(error.hint, 'a syntax error carries a hint');
      return true;
    },
  );
}

describe('parseIni: what aws-vault (go-ini as ByteNess configures it) reads', () => {
  it('reads sections and key = value pairs, trimming both sides', () => {
    assert.deepEqual(keys('[profile dev]\n  region   =   eu-west-1   \nmfa_serial=arn:aws:iam::111111111111:mfa/me\n', 'profile dev'), {
      region: 'eu-west-1',
      mfa_serial: 'arn:aws:iam::111111111111:mfa/me',
    });
  });

  it('skips comment lines starting with # or ;, and blank lines', () => {
    const text = '# top\n; top too\n\n[default]\n  # indented comment\nregion = us-east-1\n;output = json\n';
    assert.deepEqual(keys(text, 'default'), { region: 'us-east-1' });
  });

  it('strips an inline comment only after whitespace, so a start URL ending in #/ survives', () => {
    const text = [
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start#/',
      'sso_region = eu-west-1 # Ireland',
      'sso_registration_scopes = sso:account:access ; scopes',
      'x = a;b',
      'y = #not-a-comment',
    ].join('\n');
    assert.deepEqual(keys(text, 'sso-session corp'), {
      sso_start_url: 'https://corp.awsapps.com/start#/',
      sso_region: 'eu-west-1',
      sso_registration_scopes: 'sso:account:access',
      x: 'a;b',
      y: '#not-a-comment',
    });
  });

  it('removes matching quotes (single, double, backtick, triple double) and keeps # inside them', () => {
    const text = [
      '[profile q]',
      `a = "double # kept"`,
      `b = 'single ; kept'`,
      'c = `back tick`',
      'd = """triple"""',
      'e = ""',
      `f = "quoted" # comment after`,
      `g = "unbalanced`,
    ].join('\n');
    assert.deepEqual(keys(text, 'profile q'), {
      a: 'double # kept',
      b: 'single ; kept',
      c: 'back tick',
      d: 'triple',
      e: '',
      f: 'quoted',
      g: '"unbalanced',
    });
  });

  it('accepts ":" as a delimiter, and splits on the first "=" or ":" only', () => {
    const text = '[profile c]\nregion: eu-central-1\nrole_arn = arn:aws:iam::123456789012:role/x\nsso_start_url: https://a.b/c=d\n';
    assert.deepEqual(keys(text, 'profile c'), {
      region: 'eu-central-1',
      role_arn: 'arn:aws:iam::123456789012:role/x',
      sso_start_url: 'https://a.b/c=d',
    });
  });

  it('lower-cases keys but keeps section names case-sensitive', () => {
    const parsed = parseIni('[profile Dev]\nREGION = eu-west-1\nRole_Arn = arn:aws:iam::123456789012:role/r\n[DEFAULT]\nregion = x\n', PATH);
    assert.deepEqual([...parsed.sections.keys()], ['profile Dev', 'DEFAULT']);
    assert.deepEqual(keys('[profile Dev]\nREGION = eu-west-1\nRole_Arn = r\n', 'profile Dev'), { region: 'eu-west-1', role_arn: 'r' });
    assert.equal(parsed.sections.get('profile dev'), undefined);
  });

  it('reads CRLF line endings and a UTF-8 byte-order mark', () => {
    const text = '\uFEFF[default]\r\nregion = us-west-2\r\n\r\n[profile b]\r\nregion = eu-north-1\r\n';
    const parsed = parseIni(text, PATH);
    assert.deepEqual([...parsed.sections.keys()], ['default', 'profile b']);
    assert.deepEqual(keys(text, 'default'), { region: 'us-west-2' });
    assert.deepEqual(keys(text, 'profile b'), { region: 'eu-north-1' });
  });

  it('ignores nested values under a key with an empty value (the AWS CLI s3 = block)', () => {
    const text = [
      '[profile n]',
      'region = us-east-1',
      's3 =',
      '  max_concurrent_requests = 20',
      '',
      '  addressing_style = path',
      'output = json',
      'mfa_serial = arn:aws:iam::111111111111:mfa/me',
    ].join('\n');
    assert.deepEqual(keys(text, 'profile n'), { region: 'us-east-1', s3: '', output: 'json', mfa_serial: 'arn:aws:iam::111111111111:mfa/me' });
  });

  it('reads the nested values of a [services] section by key and sub-key, with their lines', () => {
    const text = [
      '[services local]',
      'sts =',
      '  endpoint_url = http://127.0.0.1:4566',
      '  # a comment inside the block',
      '  Region = eu-west-1',
      'sso_oidc =',
      '  endpoint_url = "http://127.0.0.1:9000"',
      '',
      '  orphan = after a blank line, not nested',
      'iam = not nested',
    ].join('\n');
    const nested = parseIni(text, PATH).sections.get('services local')?.nested;
    assert.ok(nested);
    assert.deepEqual([...nested.keys()], ['sts', 'sso_oidc']);
    assert.deepEqual(Object.fromEntries(nested.get('sts') ?? []), {
      endpoint_url: { value: 'http://127.0.0.1:4566', line: 3 },
      region: { value: 'eu-west-1', line: 5 },
    });
    assert.deepEqual(Object.fromEntries(nested.get('sso_oidc') ?? []), { endpoint_url: { value: 'http://127.0.0.1:9000', line: 7 } });
    assert.deepEqual(keys(text, 'services local'), { sts: '', sso_oidc: '', iam: 'not nested' });
  });

  it('reads a nested block that ends its section, up to the next header', () => {
    const text = '[services s]\nsts =\n  endpoint_url = http://a\n  [profile p]\nregion = x\n';
    const parsed = parseIni(text, PATH);
    assert.deepEqual(Object.fromEntries(parsed.sections.get('services s')?.nested?.get('sts') ?? []), { endpoint_url: { value: 'http://a', line: 3 } });
    assert.deepEqual(keys(text, 'profile p'), { region: 'x' });
  });

  it('joins a line ending in a backslash with the next line, recording the first line', () => {
    const text = '[profile t]\nsession_tags = team=a,\\\n   env=prod\nregion = eu-west-1\n';
    const section = parseIni(text, PATH).sections.get('profile t');
    assert.deepEqual(section?.entries.get('session_tags'), { value: 'team=a,env=prod', line: 2 });
    assert.deepEqual(section?.entries.get('region'), { value: 'eu-west-1', line: 4 });
  });

  it('merges a repeated section, the later value winning, and keeps the first header line', () => {
    const text = '[profile r]\nregion = a\nmfa_serial = m\n[profile other]\nregion = o\n[profile r]\nregion = b\nrole_arn = x\n';
    const parsed = parseIni(text, PATH);
    assert.deepEqual([...parsed.sections.keys()], ['profile r', 'profile other']);
    assert.deepEqual(keys(text, 'profile r'), { region: 'b', mfa_serial: 'm', role_arn: 'x' });
    assert.equal(parsed.sections.get('profile r')?.line, 1);
    assert.equal(parsed.sections.get('profile r')?.entries.get('region')?.line, 7);
  });

  it('ignores keys before the first section (go-ini DEFAULT section)', () => {
    const parsed = parseIni('region = nowhere\n[profile a]\nregion = here\n', PATH);
    assert.deepEqual([...parsed.sections.keys()], ['profile a']);
    assert.deepEqual(keys('region = nowhere\n[profile a]\nregion = here\n', 'profile a'), { region: 'here' });
  });

  it('allows a comment after a section header and spaces inside the brackets', () => {
    const parsed = parseIni('[ profile s ] # comment\nregion = x\n', PATH);
    assert.deepEqual([...parsed.sections.keys()], ['profile s']);
  });

  it('records the line of every key, counted from 1', () => {
    const section = parseIni('\n# c\n[profile l]\n\nregion = x\n', PATH).sections.get('profile l');
    assert.equal(section?.line, 3);
    assert.equal(section?.entries.get('region')?.line, 5);
  });

  it('returns an empty file for empty text', () => {
    assert.equal(parseIni('', PATH).sections.size, 0);
    assert.equal(parseIni('\n\n# only comments\n', PATH).path, PATH);
  });
});

describe('parseIni: syntax errors name <path>:<line>', () => {
  it('rejects an unclosed section header', () => {
    assertSyntaxError('[default]\nregion = x\n[profile x\nregion = y\n', 3, /not closed/);
  });

  it('rejects a section header with no name', () => {
    assertSyntaxError('[profile a]\n[]\n', 2);
  });

  it('rejects a line without "=" or ":"', () => {
    assertSyntaxError('[profile a]\nregion = x\nthis is not a key value line\n', 3, /key = value/);
  });

  it('rejects a line with an empty key', () => {
    assertSyntaxError('[profile a]\n= value\n', 2);
  });

  it('rejects a NUL byte', () => {
    assertSyntaxError('[profile a]\nregion = us-\0east-1\n', 2, /NUL/);
  });

  it('rejects a NUL byte on a continuation line, naming that line', () => {
    assertSyntaxError('[profile a]\nsession_tags = a=1,\\\nb=\0\n', 3, /NUL/);
  });

  it('counts lines the same way with CRLF endings', () => {
    assertSyntaxError('[profile a]\r\nregion = x\r\noops\r\n', 3);
  });

  it('keeps quotes that do not enclose the whole value, so credential_process paths with spaces survive', () => {
    const ini = parseIni('[profile cp]\ncredential_process = "/opt/my tools/x" --json\nb = \'a\' \'b\'\n', '/c');
    const entries = ini.sections.get('profile cp')?.entries;
    assert.equal(entries?.get('credential_process')?.value, '"/opt/my tools/x" --json');
    assert.equal(entries?.get('b')?.value, "'a' 'b'");
  });
});
