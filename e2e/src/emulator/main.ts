/**
 * Runs the AWS emulator as its own process.
 *
 *   node e2e/dist/emulator/main.js [options]
 *
 * Prints the base URL (e.g. http://127.0.0.1:41234) as the only line on
 * stdout, then serves until SIGTERM or SIGINT, when it closes and exits 0.
 *
 * Options (each also read from the environment variable shown):
 *   --port N                 AWS_EMULATOR_PORT        port to bind; default 0 (any free port)
 *   --host H                 AWS_EMULATOR_HOST        interface; default 127.0.0.1
 *   --account-id ID          AWS_EMULATOR_ACCOUNT_ID  12-digit default account; default 123456789012
 *   --user NAME              AWS_EMULATOR_USER        seed an IAM user with one access key
 *   --access-key-id AKIA…    AWS_EMULATOR_ACCESS_KEY_ID      that key's id (default random)
 *   --secret-access-key S    AWS_EMULATOR_SECRET_ACCESS_KEY  that key's secret (default random)
 *   --mfa-secret BASE32      AWS_EMULATOR_MFA_SECRET  also give the user a virtual MFA device with this seed
 *                                                     (serial arn:aws:iam::<acct>:mfa/<user>)
 *   --role NAME              AWS_EMULATOR_ROLE        seed a role trusting the user
 *   --role-require-mfa       AWS_EMULATOR_ROLE_REQUIRE_MFA=1  that role requires MFA
 *   --seed-file PATH         AWS_EMULATOR_SEED_FILE   write the seeded identities, including generated
 *                                                     secrets, as JSON to PATH (mode 0600)
 *
 * Secrets are never printed: pass them in, or read them from --seed-file.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator } from './server.js';
import { EmulatorState } from './state.js';

function readOptions() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'account-id': { type: 'string' },
      user: { type: 'string' },
      'access-key-id': { type: 'string' },
      'secret-access-key': { type: 'string' },
      'mfa-secret': { type: 'string' },
      role: { type: 'string' },
      'role-require-mfa': { type: 'boolean' },
      'seed-file': { type: 'string' },
    },
    strict: true,
  }).values;
}

const env = process.env;
const setting = (flag: string | undefined, name: string): string | undefined => flag ?? (env[name] || undefined);

async function main(): Promise<void> {
  const values = readOptions();
  const accountId = setting(values['account-id'], 'AWS_EMULATOR_ACCOUNT_ID');
  const state = new EmulatorState(accountId === undefined ? {} : { defaultAccountId: accountId });
  const seed: Record<string, unknown> = { accountId: state.defaultAccountId };

  const userName = setting(values.user, 'AWS_EMULATOR_USER');
  if (userName !== undefined) {
    const accessKeyId = setting(values['access-key-id'], 'AWS_EMULATOR_ACCESS_KEY_ID');
    const secretAccessKey = setting(values['secret-access-key'], 'AWS_EMULATOR_SECRET_ACCESS_KEY');
    const user = state.createUser(userName, {
      ...(accessKeyId === undefined ? {} : { accessKeyId }),
      ...(secretAccessKey === undefined ? {} : { secretAccessKey }),
    });
    seed.user = user;
    const mfaSecret = setting(values['mfa-secret'], 'AWS_EMULATOR_MFA_SECRET');
    if (mfaSecret !== undefined) {
      const device = state.createMfaDevice(userName, { secret: mfaSecret });
      seed.mfa = { serialNumber: device.serialNumber, secret: device.secret };
    }
    const roleName = setting(values.role, 'AWS_EMULATOR_ROLE');
    if (roleName !== undefined) {
      const requireMfa = values['role-require-mfa'] ?? env.AWS_EMULATOR_ROLE_REQUIRE_MFA === '1';
      seed.role = state.createRole({ name: roleName, trustedPrincipals: [user.arn], requireMfa });
    }
  }

  const seedFile = setting(values['seed-file'], 'AWS_EMULATOR_SEED_FILE');
  if (seedFile !== undefined) writeFileSync(seedFile, JSON.stringify(seed, null, 2) + '\n', { mode: 0o600 });

  const port = Number(setting(values.port, 'AWS_EMULATOR_PORT') ?? 0);
  const host = setting(values.host, 'AWS_EMULATOR_HOST');
  const emulator = await startEmulator({ port, state, ...(host === undefined ? {} : { host }) });
  process.stdout.write(`${emulator.url}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`aws-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
