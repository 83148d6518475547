import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Backend } from '@awsvault/core';
import { formatSessionKey } from '@awsvault/core';
import { vaultBin } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

/** The file backend, opened the way vault opens it, to look at and seed the store directly. */
async function fileStore(dir: string, passphrase: string): Promise<Backend> {
  const path = new URL('../../../plugins/backend-file/dist/index.js', import.meta.url).href;
  const { FileBackend } = (await import(path)) as { FileBackend: new (options: { dir: string; passphrase: () => Promise<string> }) => Backend };
  return new FileBackend({ dir, passphrase: async () => passphrase });
}

const CORP = 'https://corp.awsapps.com/start';
const INLINE = 'https://inline.awsapps.com/start';
const OTHER = 'https://other.awsapps.com/start';

describe('vault clear', () => {
  let s: Scenario;
  let store: Backend;

  async function seed(key: string, payload: unknown = {}): Promise<void> {
    await store.set({ key, data: new TextEncoder().encode(JSON.stringify(payload)), label: 'seeded by the test' });
  }
  function session(type: string, profileName: string, detail = ''): string {
    return formatSessionKey({ type, profileName, detail, expiry: Math.floor(Date.now() / 1000) + 3600 });
  }
  const keys = async () => (await store.keys()).sort();

  before(async () => {
    s = await startScenario();
    s.home.writeConfig(
      `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n` +
        `[sso-session corp]\nsso_start_url = ${CORP}\nsso_region = eu-west-1\n\n` +
        `[profile sso]\nsso_session = corp\nsso_start_url = ${INLINE}\nsso_account_id = 111111111111\nsso_role_name = Admin\n\n` +
        `[profile legacy-sso]\nsso_start_url = ${INLINE}\nsso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = Admin\n`,
    );
    store = await fileStore(s.home.keysDir, s.home.passphrase);
  });
  after(() => s.close());

  it("with a profile: its sessions only, and the next exec makes a new one", async () => {
    const primed = await s.vault(['exec', 'dev', '--', 'true']);
    assert.equal(primed.code, 0, primed.stderr);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 1);
    await seed(session('sts.AssumeRole', 'admin', 'arn:aws:iam::123456789012:mfa/alice'));
    const r = await s.vault(['clear', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Cleared 1 sessions.\n');
    assert.ok((await keys()).some((k) => k.startsWith('sts.AssumeRole,')), "another profile's session is kept");
    const again = await s.vault(['exec', 'dev', '--', 'true']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(s.emulator.state.calls('sts:GetSessionToken'), 2, 'the cleared session is fetched anew');
  });

  it("an SSO profile: its session and the token of the sso-session's start URL, which wins over the inline one", async () => {
    await seed(session('sso.GetRoleCredentials', 'sso', CORP));
    await seed(`oidc:${CORP}`, { Token: { AccessToken: 'a' }, Expiration: '2099-01-01T00:00:00Z' });
    await seed(`oidc:${INLINE}`, { Token: { AccessToken: 'b' }, Expiration: '2099-01-01T00:00:00Z' });
    const r = await s.vault(['clear', 'sso']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Cleared 2 sessions.\n');
    const left = await keys();
    assert.ok(!left.includes(`oidc:${CORP}`));
    assert.ok(left.includes(`oidc:${INLINE}`));
    const inline = await s.vault(['clear', 'legacy-sso']);
    assert.equal(inline.stdout, 'Cleared 1 sessions.\n');
    assert.ok(!(await keys()).includes(`oidc:${INLINE}`));
  });

  it('without a profile: every session, legacy item and SSO token; never the stored keys', async () => {
    await seed(session('sts.AssumeRole', 'other', 'arn:aws:iam::123456789012:mfa/alice'));
    await seed(formatSessionKey({ type: 'sts.GetSessionToken', profileName: 'old', detail: '', expiry: Math.floor(Date.now() / 1000) - 60 }));
    await seed('session,dev,,1234567890');
    await seed('dev session (1234567890)');
    await seed(`oidc:${OTHER}`, { Token: { AccessToken: 'c' } });
    const before = (await keys()).filter((k) => k !== 'dev');
    const r = await s.vault(['clear']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Cleared ${before.length} sessions.\n`);
    assert.deepEqual(await keys(), ['dev']);
    const works = await s.vault(['exec', '--no-session', 'dev', '--', 'true']);
    assert.equal(works.code, 0, works.stderr);
  });

  it('--json answers {"cleared": n}', async () => {
    await seed(session('sts.GetSessionToken', 'dev'));
    const r = await s.vault(['clear', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { cleared: 1 });
    const none = await s.vault(['clear', 'dev', '--json']);
    assert.deepEqual(JSON.parse(none.stdout), { cleared: 0 });
  });

  it('loads no AWS SDK', async () => {
    const tracer = fileURLToPath(import.meta.resolve('@awsvault/core/testing/traceImports'));
    const trace = join(s.home.dir, 'trace-clear.txt');
    const r = await run(process.execPath, ['--import', tracer, vaultBin, 'clear', 'dev'], { ...s.home.env, VAULT_TRACE_IMPORTS: trace });
    assert.equal(r.code, 0, r.stderr);
    const loaded = readFileSync(trace, 'utf8');
    assert.match(loaded, /packages\/cli/);
    assert.doesNotMatch(loaded, /@aws-sdk|@smithy/);
  });
});
