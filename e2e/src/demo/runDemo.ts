// `npm run demo`: the whole product on an embedded default, with no AWS account. Starts the local
// AWS emulator, stores demo keys for profile `demo` in the encrypted file backend under a
// throw-away HOME, then runs `vault exec demo -- aws sts get-caller-identity` and
// `vault export --format=json demo`. Leaves nothing running and nothing behind.
import { existsSync } from 'node:fs';
import { startEmulator } from '../emulator/server.js';
import { awsBin } from '../helpers/paths.js';
import { runVault, type RunResult } from '../helpers/run.js';
import { tempHome } from '../helpers/tempHome.js';

async function main(): Promise<number> {
  if (!existsSync(awsBin)) {
    console.error(`The demo runs Debian's AWS CLI, which is missing. Install it with:\n  sudo apt-get update && sudo apt-get install -y awscli`);
    return 1;
  }
  const emulator = await startEmulator();
  const home = tempHome();
  try {
    const user = emulator.state.createUser('demo-user');
    home.writeConfig(`[profile demo]\nregion = us-east-1\nendpoint_url = ${emulator.url}\n`);
    console.log(`local AWS emulator on ${emulator.url}; throw-away HOME ${home.dir}\n`);
    const steps: Array<[string, string[], Record<string, string>]> = [
      ['vault add --env demo', ['add', '--env', 'demo'], { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey }],
      [`vault exec demo -- ${awsBin} sts get-caller-identity`, ['exec', 'demo', '--', awsBin, 'sts', 'get-caller-identity', '--endpoint-url', emulator.url, '--output', 'json'], {}],
      ['vault export --format=json demo', ['export', '--format=json', 'demo'], {}],
      ['vault list', ['list'], {}],
    ];
    for (const [title, args, extra] of steps) {
      console.log(`$ ${title}`);
      const result: RunResult = await runVault(args, { ...home.env, ...extra });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      if (result.code !== 0) {
        console.error(`demo step failed with exit code ${result.code}`);
        return 1;
      }
      console.log('');
    }
    console.log(`STS calls the emulator verified: ${JSON.stringify(emulator.state.calls())}`);
    return 0;
  } finally {
    await emulator.close();
    home.cleanup();
  }
}

process.exitCode = await main();
