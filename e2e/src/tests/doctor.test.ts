import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closedPort } from '../helpers/closedPort.js';
import { vaultBin } from '../helpers/paths.js';
import { run, runVault, shellQuote } from '../helpers/run.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';

interface Report {
  ok: boolean;
  checks: Array<{ id: string; status: 'ok' | 'warn' | 'fail'; title: string; message: string }>;
}

/** The lines of a plain (not a terminal) report, by title. */
function lines(stdout: string): Map<string, { status: string; message: string }> {
  const byTitle = new Map<string, { status: string; message: string }>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const match = /^(ok {2}|warn|FAIL) ([^:]+): (.*)$/.exec(line);
    assert.ok(match, `a plain report line: ${JSON.stringify(line)}`);
    byTitle.set(match[2] as string, { status: (match[1] as string).trim(), message: match[3] as string });
  }
  return byTitle;
}

/** An HTTP server answering every request with 403 and the given Date header. */
async function dateServer(date: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.sendDate = false;
    res.writeHead(403, { Date: date(), 'Content-Type': 'text/plain' });
    res.end('unsigned');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A local port nothing listens on. */
describe('vault doctor', () => {
  let s: Scenario;
  let goodConfig: string;
  before(async () => {
    s = await startScenario();
    goodConfig = `[profile dev]\nregion = us-east-1\nendpoint_url = ${s.emulator.url}\n\n[profile role]\nsource_profile = dev\nrole_arn = arn:aws:iam::123456789012:role/r\n`;
    s.home.writeConfig(goodConfig);
  });
  after(() => s.close());

  it('passes against the emulator, one line per check', async () => {
    const r = await s.vault(['doctor', '--profile', 'dev']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '');
    const report = lines(r.stdout);
    assert.ok(![...report.values()].some((line) => line.status === 'FAIL'), r.stdout);
    assert.deepEqual(report.get('config')?.status, 'ok');
    assert.match(report.get('config')?.message ?? '', new RegExp(`${s.home.configFile} .* parse; 2 profiles`));
    assert.deepEqual(report.get('profiles'), { status: 'ok', message: 'all 2 resolve' });
    assert.deepEqual(report.get('backend file'), { status: 'ok', message: 'available' });
    assert.deepEqual(report.get('selected backend'), { status: 'ok', message: 'file (requested) opens; 1 items: 1 credentials, 0 sessions, 0 SSO tokens; unlocks' });
    assert.equal(report.get('sts endpoint')?.status, 'ok');
    assert.match(report.get('sts endpoint')?.message ?? '', new RegExp(`^${s.emulator.url} \\(region us-east-1, profile dev\\) answered HTTP \\d{3} in \\d+ ms$`));
    assert.deepEqual(report.get('clock'), { status: 'ok', message: `in sync with ${new URL(s.emulator.url).host}` });
    assert.equal(report.get('fast path')?.status, 'ok');
    assert.ok(report.has('mfa prompt'));
    assert.ok(report.has('prompt terminal'));
  });

  it('--json gives the same checks to scripts', async () => {
    const r = await s.vault(['doctor', '--json'], { AWS_PROFILE: 'dev' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.ok, true);
    const ids = report.checks.map((check) => check.id);
    for (const id of ['config', 'profiles', 'backend:file', 'backend', 'prompt:terminal', 'prompt', 'endpoint', 'clock', 'fast-path']) assert.ok(ids.includes(id), id);
    assert.match(report.checks.find((check) => check.id === 'endpoint')?.message ?? '', /profile dev\)/, 'AWS_PROFILE picks the profile');
    for (const check of report.checks) assert.ok(['ok', 'warn'].includes(check.status), JSON.stringify(check));
  });

  it('a config that does not parse fails, naming the file and line, and exits 1', async () => {
    s.home.writeConfig(`[profile dev]\nregion = us-east-1\nthis line is not ini\n`);
    try {
      const r = await s.vault(['doctor', '--profile', 'dev']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const report = lines(r.stdout);
      assert.equal(report.get('config')?.status, 'FAIL');
      assert.match(report.get('config')?.message ?? '', new RegExp(`^${s.home.configFile}:3: expected "key = value"`));
      assert.equal(report.get('sts endpoint')?.status, 'warn');
      assert.equal(report.get('selected backend')?.status, 'ok', 'the other checks still run');

      const json = await s.vault(['doctor', '--profile', 'dev', '--json']);
      assert.equal(json.code, 1);
      const parsed = JSON.parse(json.stdout) as Report;
      assert.equal(parsed.ok, false);
      assert.equal(parsed.checks.find((check) => check.id === 'config')?.status, 'fail');
    } finally {
      s.home.writeConfig(goodConfig);
    }
  });

  it('profiles that do not resolve fail one line each', async () => {
    s.home.writeConfig(`${goodConfig}\n[profile a]\nsource_profile = b\n\n[profile b]\nsource_profile = a\n\n[profile d]\nduration_seconds = soon\n\n[profile orphan]\nsource_profile = nowhere\n`);
    try {
      const r = await s.vault(['doctor', '--profile', 'dev']);
      assert.equal(r.code, 1);
      const report = lines(r.stdout);
      assert.equal(report.get('profile a')?.status, 'FAIL');
      assert.match(report.get('profile a')?.message ?? '', /source_profile loop a -> b -> a/);
      assert.equal(report.get('profile b')?.status, 'FAIL');
      assert.equal(report.get('profile d')?.status, 'FAIL');
      assert.match(report.get('profile d')?.message ?? '', /duration_seconds = soon/);
      assert.deepEqual(report.get('profile orphan'), { status: 'FAIL', message: 'source_profile nowhere is not in the AWS config and has no stored credentials' });
      assert.equal(report.has('profiles'), false);
    } finally {
      s.home.writeConfig(goodConfig);
    }
  });

  it('a dead endpoint fails the endpoint check (and the clock cannot be checked)', async () => {
    const port = await closedPort();
    s.home.writeConfig(`[profile dead]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:${port}\n`);
    try {
      const r = await s.vault(['doctor', '--profile', 'dead']);
      assert.equal(r.code, 1);
      const report = lines(r.stdout);
      assert.equal(report.get('sts endpoint')?.status, 'FAIL');
      assert.match(report.get('sts endpoint')?.message ?? '', new RegExp(`^http://127\\.0\\.0\\.1:${port} \\(region eu-west-1, profile dead\\): no answer: .*ECONNREFUSED`));
      assert.equal(report.get('clock')?.status, 'warn');
    } finally {
      s.home.writeConfig(goodConfig);
    }
  });

  it('AWS_ENDPOINT_URL_STS wins over the profile, and a slow endpoint times out', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const r = await s.vault(['doctor', '--profile', 'dev', '--timeout', '300ms'], { AWS_ENDPOINT_URL_STS: url });
      assert.equal(r.code, 1);
      assert.equal(lines(r.stdout).get('sts endpoint')?.message, `${url} (region us-east-1, profile dev): no answer: timed out after 300ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a clock more than 5 minutes off fails; a few minutes off passes', async () => {
    let offsetMs = -10 * 60 * 1000;
    const server = await dateServer(() => new Date(Date.now() + offsetMs).toUTCString());
    const host = new URL(server.url).host;
    try {
      let r = await s.vault(['doctor', '--profile', 'dev'], { AWS_ENDPOINT_URL_STS: server.url });
      assert.equal(r.code, 1);
      let report = lines(r.stdout);
      assert.equal(report.get('sts endpoint')?.status, 'ok');
      assert.match(report.get('sts endpoint')?.message ?? '', /answered HTTP 403/);
      assert.equal(report.get('clock')?.status, 'FAIL');
      assert.match(report.get('clock')?.message ?? '', new RegExp(`^(9m59s|10m0s|10m1s) ahead of ${host}: AWS refuses signatures more than 5m0s off`));

      offsetMs = 3 * 60 * 1000;
      r = await s.vault(['doctor', '--profile', 'dev'], { AWS_ENDPOINT_URL_STS: server.url });
      assert.equal(r.code, 0, r.stdout);
      report = lines(r.stdout);
      assert.equal(report.get('clock')?.status, 'ok');
      assert.match(report.get('clock')?.message ?? '', new RegExp(`^(2m59s|3m0s|3m1s) behind ${host}$`));
    } finally {
      await server.close();
    }
  });

  it('the file backend without a passphrase is locked: a warning, and no prompt', async () => {
    const env = { ...s.home.env };
    delete env['AWS_VAULT_FILE_PASSPHRASE'];
    const r = await runVault(['doctor', '--profile', 'dev'], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const line = lines(r.stdout).get('selected backend');
    assert.equal(line?.status, 'warn');
    assert.match(line?.message ?? '', /^file \(requested\) opens; 1 items: .*; locked: file would ask for a passphrase .* \(set AWS_VAULT_FILE_PASSPHRASE to check it\)$/);

    const wrong = await s.vault(['doctor', '--profile', 'dev'], { AWS_VAULT_FILE_PASSPHRASE: 'not the passphrase' });
    assert.equal(wrong.code, 1);
    assert.match(lines(wrong.stdout).get('selected backend')?.message ?? '', /cannot read "dev"/);
  });

  it('an unknown --backend or --prompt fails', async () => {
    const r = await s.vault(['doctor', '--profile', 'dev', '--backend', 'nope', '--prompt', 'nada']);
    assert.equal(r.code, 1);
    const report = lines(r.stdout);
    assert.equal(report.get('selected backend')?.status, 'FAIL');
    assert.match(report.get('selected backend')?.message ?? '', /backend nope is not installed \(installed: .*file/);
    assert.equal(report.get('mfa prompt')?.status, 'FAIL');
    assert.match(report.get('mfa prompt')?.message ?? '', /nada is requested but not installed/);
  });

  it("lists user-installed backends and prompts, with the plugin's reason when one is not available", async () => {
    const root = join(s.home.dir, 'vault-plugin-fake');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'vault-plugin-fake', version: '1.0.0', type: 'module', oclif: { hooks: { 'vault:backend': './backend.js', 'vault:prompt': './prompt.js' } } }));
    writeFileSync(join(root, 'backend.js'), `export default async () => ({ kind: 'backend', name: 'fakevault', isAvailable: (ctx) => { ctx.debug('fakevault: not available: no fake device attached'); return false; }, open: async () => { throw new Error('no'); } });\n`);
    writeFileSync(join(root, 'prompt.js'), `export default async () => ({ kind: 'prompt', name: 'fakeprompt', isAvailable: () => true, prompt: async () => '123456' });\n`);
    const dataDir = join(s.home.env['XDG_DATA_HOME'] as string, 'vault');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'package.json'), JSON.stringify({ private: true, oclif: { schema: 1, plugins: [{ name: 'vault-plugin-fake', type: 'link', root }] }, dependencies: {} }));
    const r = await s.vault(['doctor', '--profile', 'dev']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = lines(r.stdout);
    assert.deepEqual(report.get('backend fakevault'), { status: 'warn', message: 'not available here: no fake device attached' });
    assert.deepEqual(report.get('prompt fakeprompt'), { status: 'ok', message: 'available, works without a terminal' });
    assert.deepEqual(report.get('mfa prompt'), { status: 'ok', message: 'terminal at a terminal, fakeprompt otherwise' });
  });

  describe('marks', () => {
    const inTerminal = (extra: Record<string, string>) => {
      const env: Record<string, string> = { ...s.home.env, TERM: 'xterm', ...extra };
      if (!('NO_COLOR' in extra)) delete env['NO_COLOR'];
      return run('script', ['-qfec', shellQuote([process.execPath, vaultBin, 'doctor', '--profile', 'dev']), '/dev/null'], env);
    };

    it('on a terminal: ✓ in colour', async () => {
      const r = await inTerminal({});
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /\u001b\[32m✓\u001b\[0m config: /);
      assert.doesNotMatch(r.stdout, /^ok /m);
    });

    it('on a terminal with NO_COLOR: ✓ without colour', async () => {
      const r = await inTerminal({ NO_COLOR: '1' });
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /^✓ config: /m);
      assert.doesNotMatch(r.stdout, /\u001b\[/);
    });

    it('not on a terminal: plain words, even without NO_COLOR', async () => {
      const env = { ...s.home.env };
      delete env['NO_COLOR'];
      const r = await runVault(['doctor', '--profile', 'dev'], env);
      assert.match(r.stdout, /^ok {3}config: /m);
      assert.doesNotMatch(r.stdout, /\u001b\[|✓/);
    });
  });
});
