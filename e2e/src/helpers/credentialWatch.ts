/**
 * A long-running child of `vault exec --ecs-server`: `node credentialWatch.js <out.json> <rounds>
 * <pauseMs> -- command args…`. Each round it reads the credentials the server hands out right now
 * (recording the key id and how long they have left) and runs the command (a real client that calls
 * AWS with them), then pauses. Writes every round to out.json; exits 0 even when a round failed, so
 * the test can say which one.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const [out, roundsText, pauseText] = args;
const [command, ...commandArgs] = args.slice(dash + 1);
if (!out || dash < 0 || !command) {
  process.stderr.write('usage: credentialWatch.js <out.json> <rounds> <pauseMs> -- command args…\n');
  process.exit(2);
}

interface Round {
  at: number;
  accessKeyId: string;
  msLeft: number;
  clientExit: number | null;
  clientOutput: string;
}

async function main(): Promise<void> {
  const rounds: Round[] = [];
  for (let i = 0; i < Number(roundsText); i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, Number(pauseText)));
    const at = Date.now();
    const answer = await fetch(process.env['AWS_CONTAINER_CREDENTIALS_FULL_URI'] ?? '', { headers: { Authorization: process.env['AWS_CONTAINER_AUTHORIZATION_TOKEN'] ?? '' } });
    const creds = (await answer.json()) as { AccessKeyId: string; Expiration: string };
    const client = spawnSync(command as string, commandArgs, { encoding: 'utf8', timeout: 20_000 });
    rounds.push({
      at,
      accessKeyId: creds.AccessKeyId,
      msLeft: Date.parse(creds.Expiration) - at,
      clientExit: client.status,
      clientOutput: `${client.stdout ?? ''}${client.stderr ?? ''}`.slice(0, 2000),
    });
  }
  writeFileSync(out as string, JSON.stringify(rounds, null, 2));
}

main().then(() => process.exit(0), (error: Error) => {
  process.stderr.write(`credentialWatch: ${error.message}\n`);
  process.exit(1);
});
