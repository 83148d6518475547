import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { awsCommand, helperCommand } from '../helpers/serverClients.js';

interface AttackReport {
  results: Record<string, string>;
  flood: Record<string, number>;
  duringIdle: string;
  afterwards: string;
  leaks: string[];
}

/** Connection fates that mean "dropped at the cap", not a crash. */
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'closed without an answer']);

describe('hostile requests against the servers of the built CLI', () => {
  let s: Scenario;
  before(async () => {
    s = await startScenario();
  });
  after(() => s.close());

  /** Runs the attack script as the child of vault, then the real AWS CLI; returns the report and the CLI's output. */
  async function attack(mode: 'ecs' | 'ec2'): Promise<{ report: AttackReport; stdout: string }> {
    const out = join(s.home.dir, `attack-${mode}.json`);
    const serverFlags = mode === 'ecs' ? ['--ecs-server'] : ['--ec2-server', '--ec2-server-port', '0'];
    const r = await s.vault(['exec', ...serverFlags, 'dev', '--', 'sh', '-c', `${helperCommand('attackServer', [mode, out])} && ${awsCommand(s.emulator.url)}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'vault printed nothing: no crash, no stack');
    return { report: JSON.parse(readFileSync(out, 'utf8')) as AttackReport, stdout: r.stdout };
  }

  function assertSurvived(report: AttackReport, floodStatus: string, stdout: string): void {
    assert.deepEqual(report.leaks, [], 'no answer contained a credential or the token');
    const answered = report.flood[floodStatus] ?? 0;
    const dropped = Object.entries(report.flood).filter(([label]) => DROPPED.has(label)).reduce((sum, [, n]) => sum + n, 0);
    assert.equal(answered + dropped, 1000, JSON.stringify(report.flood));
    assert.ok(answered >= 100, JSON.stringify(report.flood));
    assert.equal(report.results['1 MB header'], '431');
    assert.equal(report.duringIdle, '200', 'served while 1,000 idle connections were held');
    assert.equal(report.afterwards, '200', 'still serving afterwards');
    assert.equal(JSON.parse(stdout).Arn, s.user.arn, 'the real client works after the attack');
  }

  it('ECS: missing, wrong and odd-length tokens and foreign Hosts get 403; traversal gets 400; floods are survived', async () => {
    const { report, stdout } = await attack('ecs');
    assert.deepEqual(report.results, {
      'no token': '403',
      'wrong token': '403',
      'token of another length': '403',
      'Bearer token': '403',
      'wrong Host': '403',
      'Host without port': '403',
      'traversal /role-arn/../': '400',
      'traversal /role-arn/%2e%2e': '400',
      'traversal /role-arn/%2e%2e%2f%2e%2e%2fetc%2fpasswd': '400',
      'traversal /role-arn/not-an-arn': '400',
      'traversal /role-arn/arn:aws:iam::123456789012:role/deploy/../../x': '400',
      'traversal /role-arn/%252e%252e': '400',
      '1 MB header': '431',
    });
    assertSurvived(report, '403', stdout);
    assert.equal(s.emulator.state.calls('sts:AssumeRole'), 0, 'no hostile path reached STS');
  });

  it('EC2: foreign Host and forged tokens get 401, bad token requests 400, proxied token requests 403; floods are survived', async () => {
    const { report, stdout } = await attack('ec2');
    assert.deepEqual(report.results, {
      'wrong Host': '401',
      'token TTL 0': '400',
      'token TTL 21601': '400',
      'token without TTL': '400',
      'token with X-Forwarded-For': '403',
      'forged token': '401',
      'traversal /latest/meta-data/iam/security-credentials/local-credentials/../../../x': '400',
      '1 MB header': '431',
    });
    assertSurvived(report, '401', stdout);
  });
});
