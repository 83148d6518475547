import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { awsBin, repoRoot } from '../helpers/paths.js';
import { runVault } from '../helpers/run.js';
import { tempHome, type TempHome } from '../helpers/tempHome.js';
import { startWatchedVault } from '../helpers/watchedVault.js';

// `vault exec --sso-cache`: the AWS CLI's SSO cache entry exists while the command runs and is gone
// (or the user's own file is back) when it exits, however it exits. Inside the command, the real
// /usr/bin/aws and the AWS SDK's fromSSO read the token and get role credentials from the emulator.

const START = 'https://emulated.awsapps.com/start';
const ACCOUNT = '111122223333';
const CODE = /Confirmation code: ([A-Z]{4}-[A-Z]{4})/;

describe('vault exec --sso-cache', () => {
  let emulator: Emulator;
  let home: TempHome;
  let env: Record<string, string>;
  let cacheFile: string;
  let child: string;
  let waiter: string;

  before(async () => {
    emulator = await startEmulator();
    emulator.sso.assign({ roleName: 'Admin', accountId: ACCOUNT });
    home = tempHome();
    const common = `region = us-east-1\nendpoint_url = ${emulator.url}\n`;
    home.writeConfig(
      `[sso-session corp]\nsso_start_url = ${START}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n` +
        `[profile sso]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = Admin\n${common}\n` +
        `[profile keys]\n${common}`,
    );
    // Debian's AWS CLI 2.9 ignores endpoint settings for the SSO portal; AWS_DATA_PATH adds endpoint
    // rules that send every sso call to the emulator (as in sso.test.ts).
    const dataPath = join(home.dir, 'aws-data');
    const rules = JSON.parse(readFileSync('/usr/lib/python3/dist-packages/awscli/botocore/data/sso/2019-06-10/endpoint-rule-set-1.json', 'utf8'));
    rules.rules = [{ conditions: [], endpoint: { url: emulator.url, properties: {}, headers: {} }, type: 'endpoint' }];
    mkdirSync(join(dataPath, 'sso', '2019-06-10'), { recursive: true });
    writeFileSync(join(dataPath, 'sso', '2019-06-10', 'endpoint-rule-set-1.json'), JSON.stringify(rules));
    env = { ...home.env, AWS_VAULT_STDOUT: '1', AWS_DATA_PATH: dataPath, EMULATOR_URL: emulator.url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    cacheFile = join(home.dir, '.aws', 'sso', 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`);

    // The command run under vault: reports the cache file's mode, then the identity the AWS CLI and
    // the SDK get through the SSO profile (no keys in its environment: --profile-env).
    const sdk = join(home.dir, 'sdk.mjs');
    writeFileSync(sdk, `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(repoRoot, 'package.json'))});
const { fromSSO } = await import(require.resolve('@aws-sdk/credential-provider-sso'));
const c = await fromSSO({ profile: 'sso', clientConfig: { endpoint: process.env.EMULATOR_URL } })();
process.stdout.write(c.accessKeyId);
`);
    child = join(home.dir, 'child.sh');
    writeFileSync(child, `#!/bin/sh
set -e
printf 'mode=%s\\n' "$(stat -c %a '${cacheFile}')"
printf 'cli=%s\\n' "$(${awsBin} configure export-credentials --profile sso --format process | tr -d '\\n')"
printf 'sdk=%s\\n' "$('${process.execPath}' '${sdk}')"
`);
    chmodSync(child, 0o755);
    // Waits until the test creates the file named by $1, so two commands can overlap.
    waiter = join(home.dir, 'wait.sh');
    writeFileSync(waiter, `#!/bin/sh\nwhile [ ! -e "$1" ]; do sleep 0.05; done\n`);
    chmodSync(waiter, 0o755);

    const signIn = startWatchedVault(['export', '--format=json', 'sso'], env);
    const [, code] = await signIn.waitFor(CODE);
    assert.equal((await fetch(`${emulator.url}/_emulator/sso/approve?user_code=${code}`, { method: 'POST' })).status, 200);
    const signedIn = await signIn.done;
    assert.equal(signedIn.code, 0, signedIn.stderr);
  });
  after(async () => {
    await emulator?.close();
    home?.cleanup();
  });

  it('the AWS CLI and the SDK in the command read the token (0600) and get role credentials; afterwards the file is gone', async () => {
    assert.equal(existsSync(cacheFile), false, 'vault_sso_cache is off: nothing is shared outside exec');
    const before = emulator.state.calls('GetRoleCredentials');
    const r = await runVault(['exec', '--sso-cache', '--profile-env', 'sso', '--', child], env);
    assert.equal(r.code, 0, r.stderr);
    const out = Object.fromEntries(r.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    assert.equal(out['mode'], '600');
    const fromCli = JSON.parse(out['cli'] ?? '{}');
    assert.equal(emulator.state.session(fromCli.AccessKeyId)?.roleSessionName, 'alice@example.com');
    assert.match(out['sdk'] ?? '', /^ASIA/);
    assert.equal(emulator.state.calls('GetRoleCredentials'), before + 2, 'the AWS CLI and the SDK each called the portal with the token');
    assert.equal(emulator.state.calls('StartDeviceAuthorization'), 1, 'no second sign-in');
    assert.equal(existsSync(cacheFile), false);
  });

  it('a user\'s own cache file is put back byte for byte after a normal exit, a failing command, and a SIGKILLed one', async () => {
    const own = '{"startUrl":"https://other.example/start","accessToken":"the user\'s own","expiresAt":"2030-01-01T00:00:00Z"}';
    writeFileSync(cacheFile, own, { mode: 0o640 });
    for (const [command, expected] of [[['true'], 0], [['sh', '-c', 'exit 3'], 3], [['sh', '-c', 'kill -9 $$'], 137]] as const) {
      const r = await runVault(['exec', '--sso-cache', 'sso', '--', ...command], env);
      assert.equal(r.code, expected, r.stderr);
      assert.equal(readFileSync(cacheFile, 'utf8'), own, command.join(' '));
      assert.equal(statSync(cacheFile).mode & 0o777, 0o640, 'its mode too');
    }
    // while the command runs, vault's token is in place
    const r = await runVault(['exec', '--sso-cache', 'sso', '--', 'cat', cacheFile], env);
    assert.equal(emulator.sso.oidc.validToken(JSON.parse(r.stdout).accessToken)?.startUrl, START);
    assert.equal(readFileSync(cacheFile, 'utf8'), own);
  });

  it('without a user file, a failing or SIGKILLed command leaves none either', async () => {
    rmSync(cacheFile, { force: true });
    for (const command of [['sh', '-c', 'exit 5'], ['sh', '-c', 'kill -9 $$']]) {
      const r = await runVault(['exec', '--sso-cache', 'sso', '--', ...command], env);
      assert.notEqual(r.code, 0);
      assert.equal(existsSync(cacheFile), false, command.join(' '));
    }
  });

  it('two overlapping commands: the first to finish leaves the entry to the other, the last removes it', async () => {
    const release = join(home.dir, 'release-first');
    const first = runVault(['exec', '--sso-cache', 'sso', '--', waiter, release], env);
    for (let i = 0; i < 200 && !existsSync(cacheFile); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(existsSync(cacheFile), 'the first command has the entry');
    const second = await runVault(['exec', '--sso-cache', 'sso', '--', 'true'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(existsSync(cacheFile), 'still there for the first command');
    writeFileSync(release, '');
    const done = await first;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(existsSync(cacheFile), false);
  });

  it('refuses a profile that is not an SSO profile, and --ecs-server, in one line', async () => {
    const r = await runVault(['exec', '--sso-cache', 'keys', '--', 'true'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vault: error: (--sso-cache needs an SSO profile; profile keys does not use IAM Identity Center|profile keys: no stored credentials)/);
    const ecs = await runVault(['exec', '--sso-cache', '--ecs-server', 'sso', '--', 'true'], env);
    assert.equal(ecs.stderr, "vault: error: Can't use --sso-cache with --ecs-server\n");
  });
});
