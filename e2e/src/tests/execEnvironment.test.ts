import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startScenario, type Scenario } from '../helpers/scenario.js';

/** Every row of docs/exec.md's table, checked on what a real child process sees. */
describe('the exec environment contract (docs/exec.md)', () => {
  let s: Scenario;
  before(async () => {
    s = await startScenario();
  });
  after(() => s.close());

  const inherited = {
    AWS_ACCESS_KEY_ID: 'inherited', AWS_SECRET_ACCESS_KEY: 'inherited', AWS_SESSION_TOKEN: 'inherited', AWS_SECURITY_TOKEN: 'inherited',
    AWS_CREDENTIAL_FILE: 'inherited', AWS_DEFAULT_PROFILE: 'inherited', AWS_PROFILE: 'inherited', AWS_SDK_LOAD_CONFIG: '1',
    AWS_CREDENTIAL_EXPIRATION: 'inherited', AWS_SESSION_EXPIRATION: 'inherited', KEEP_ME: 'yes',
  };

  async function childEnv(args: string[]): Promise<Record<string, string>> {
    const r = await s.vault(['exec', ...args, '--', 'env', '-0'], inherited);
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries(r.stdout.split('\0').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  const cases: Array<[string, string[]]> = [['a session', ['dev']], ['long-term keys (--no-session)', ['--no-session', 'dev']]];
  for (const [title, args] of cases) {
    it(`with ${title}`, async () => {
      const env = await childEnv([...args]);
      const session = !args.includes('--no-session');
      assert.match(env['AWS_ACCESS_KEY_ID'] ?? '', session ? /^ASIA/ : /^AKIA/);
      assert.notEqual(env['AWS_SECRET_ACCESS_KEY'], 'inherited');
      assert.equal(env['AWS_SESSION_TOKEN'] !== undefined, session);
      const expiry = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
      if (session) {
        assert.match(env['AWS_CREDENTIAL_EXPIRATION'] ?? '', expiry);
        assert.equal(env['AWS_SESSION_EXPIRATION'], env['AWS_CREDENTIAL_EXPIRATION']);
      } else {
        assert.equal(env['AWS_CREDENTIAL_EXPIRATION'], undefined);
        assert.equal(env['AWS_SESSION_EXPIRATION'], undefined);
      }
      assert.equal(env['AWS_VAULT'], 'dev');
      assert.equal(env['AWS_REGION'], 'us-east-1');
      assert.equal(env['AWS_DEFAULT_REGION'], 'us-east-1');
      assert.equal(env['AWS_ENDPOINT_URL'], s.emulator.url);
      for (const removed of ['AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_FILE', 'AWS_DEFAULT_PROFILE', 'AWS_PROFILE', 'AWS_SDK_LOAD_CONFIG', 'AWS_VAULT_FILE_PASSPHRASE']) assert.equal(env[removed], undefined, removed);
      assert.equal(env['KEEP_ME'], 'yes');
      assert.equal(env['AWS_CONFIG_FILE'], s.home.configFile);
      assert.equal(env['AWS_SHARED_CREDENTIALS_FILE'], s.home.env['AWS_SHARED_CREDENTIALS_FILE']);
    });
  }

  it('no region and no endpoint configured: none exported', async () => {
    s.home.writeConfig(`[profile dev]\n`);
    const env = await childEnv(['--no-session', 'dev']);
    assert.equal(env['AWS_REGION'], undefined);
    assert.equal(env['AWS_DEFAULT_REGION'], undefined);
    assert.equal(env['AWS_ENDPOINT_URL'], undefined);
  });
});
