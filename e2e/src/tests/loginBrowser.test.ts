import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startScenario, type Scenario } from '../helpers/scenario.js';

// `vault login --browser`: the console sign-in URL in a browser identity per AWS profile.
// Chromium: Debian's real /usr/bin/chromium, headless. It refuses to run as root without
// --no-sandbox, and a CI container has no display and a small /dev/shm: those flags are added by a
// wrapper given as --browser-path, here only, never by vault. --dump-dom makes it load the page and exit.
// Firefox: the "Open external links in a container" add-on cannot be installed here, so a stand-in
// `firefox` on PATH records the argv vault starts it with.

const CHROMIUM = '/usr/bin/chromium';

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('vault login --browser', () => {
  let s: Scenario;
  let pidsFile: string;
  let wrapper: string;
  let fakeBin: string;
  let profilesDir: string;

  before(async () => {
    s = await startScenario();
    const viewer = s.emulator.state.createRole({ name: 'viewer', trustedPrincipals: [s.user.arn] }).arn;
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[profile viewer]\nrole_arn = ${viewer}\nsource_profile = dev\nregion = eu-west-1\nendpoint_url = ${s.emulator.url}\n`,
    );
    pidsFile = join(s.home.dir, 'browser-pids');
    wrapper = join(s.home.dir, 'headless-chromium');
    writeFileSync(wrapper, `#!/bin/sh\necho $$ >> '${pidsFile}'\nexec ${CHROMIUM} --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --dump-dom "$@" >/dev/null 2>&1\n`);
    chmodSync(wrapper, 0o755);
    fakeBin = join(s.home.dir, 'bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'firefox'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${join(s.home.dir, 'firefox-argv')}'\n`);
    chmodSync(join(fakeBin, 'firefox'), 0o755);
    profilesDir = join(s.home.dir, '.local', 'share', 'vault', 'browser-profiles');
  });
  after(async () => {
    // a browser still running is ended with its process group
    for (const pid of existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number) : []) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await s.close();
  });

  it('chrome-profile: headless Chromium with a user-data-dir per profile loads the emulator\'s sign-in URL', { skip: !existsSync(CHROMIUM) && 'needs Debian chromium' }, async () => {
    const logins = () => s.emulator.federation.requests.filter((r) => r.action === 'login' && r.status === 302).length;
    for (const [profile, count] of [['dev', 1], ['viewer', 2]] as const) {
      const r = await s.vault(['login', '--browser', 'chrome-profile', '--browser-path', wrapper, profile]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '', 'the URL goes to the browser only');
      await until(`the sign-in request of ${profile}`, () => logins() >= count);
      assert.ok(existsSync(join(profilesDir, profile, 'Default')) || existsSync(join(profilesDir, profile, 'Local State')), `chromium made its profile in ${join(profilesDir, profile)}`);
    }
    const issued = s.emulator.federation.requests.filter((r) => r.action === 'getSigninToken' && r.status === 200).map((r) => r.signinToken);
    const presented = s.emulator.federation.requests.filter((r) => r.action === 'login').map((r) => r.signinToken);
    assert.deepEqual(presented, issued.slice(-2), 'each browser presented the token its login was issued');
  });

  it('firefox-container: firefox from PATH gets one ext+container: URL naming the profile', async () => {
    const r = await s.vault(['login', '--browser', 'firefox-container', 'viewer'], { PATH: `${fakeBin}:${process.env['PATH'] ?? ''}` });
    assert.equal(r.code, 0, r.stderr);
    const argvFile = join(s.home.dir, 'firefox-argv');
    await until('the stand-in firefox', () => existsSync(argvFile) && readFileSync(argvFile, 'utf8').endsWith('\n'), 10_000);
    const argv = readFileSync(argvFile, 'utf8').trimEnd().split('\n');
    assert.equal(argv.length, 1);
    assert.match(argv[0] ?? '', /^ext\+container:name=viewer&color=[a-z]+&icon=fingerprint&url=/);
    const login = new URL(new URLSearchParams((argv[0] ?? '').slice('ext+container:'.length)).get('url') ?? '');
    assert.equal(login.origin, s.emulator.url);
    assert.equal(login.searchParams.get('Action'), 'login');
  });

  it('no browser found: one line naming the candidates, exit 1', async () => {
    const r = await s.vault(['login', '--browser', 'chrome-profile', 'dev'], { PATH: join(s.home.dir, 'nothing') });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'vault: error: no browser for --browser chrome-profile: none of google-chrome, google-chrome-stable, chromium, chromium-browser is on PATH (pass --browser-path /path/to/the/browser)\n');
  });
});
