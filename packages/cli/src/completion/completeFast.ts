import { fileURLToPath } from 'node:url';
import { cachePath, pluginFingerprint, readValuesCache, writeValuesCache, type PluginValues } from './valuesCache.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The CLI package root (packages/cli, or node_modules/@awsvault/cli), from dist/completion. */
const CLI_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `vault __complete <kind>`, run by the completion scripts at every TAB, from bin/run.js before
 * oclif loads: prints one candidate per line and resolves the exit code. `profiles` reads the AWS
 * config only; `backends` and `prompts` come from a cache keyed on the installed plugins, and only
 * when that is stale does oclif load (to run the plugins' hooks) and refill it. Errors print
 * nothing: a completion must never spill messages into the user's command line.
 */
export async function complete(argv: readonly string[], env: Env): Promise<number> {
  const kind = argv[0];
  let names: string[];
  if (kind === 'profiles') {
    names = await profileNames(env);
  } else if (kind === 'backends' || kind === 'prompts') {
    names = (await pluginValues(env))?.[kind] ?? [];
  } else {
    process.stderr.write(`vault __complete: unknown kind ${JSON.stringify(kind ?? '')} (profiles, backends or prompts)\n`);
    return 2;
  }
  await writeOut(names.filter((name) => name !== '' && !/[\r\n]/.test(name)).map((name) => `${name}\n`).join(''));
  return 0;
}

/** Profile names of the AWS config file (AWS_CONFIG_FILE honoured), as `vault list --profiles` shows them. */
export async function profileNames(env: Env): Promise<string[]> {
  try {
    const { loadAwsConfig, configFilePaths, homeDirectory } = await configReader();
    return loadAwsConfig(configFilePaths(env, homeDirectory(env))).profileNames;
  } catch {
    return [];
  }
}

type ConfigReader = Pick<typeof import('@awsvault/core/config'), 'loadAwsConfig' | 'configFilePaths' | 'homeDirectory'>;

/** Core's config reader alone (`@awsvault/core/config`): the full index would cost ~25 ms at each TAB. */
export async function configReader(): Promise<ConfigReader> {
  return import('@awsvault/core/config');
}

/** Cached backend and prompt names; on a miss, oclif loads every plugin and runs their hooks once. */
export async function pluginValues(env: Env, cliRoot: string = CLI_ROOT): Promise<PluginValues | undefined> {
  const fingerprint = pluginFingerprint(cliRoot, env);
  const path = cachePath(env);
  const cached = readValuesCache(path, fingerprint);
  if (cached) return cached;
  try {
    const { loadPluginValues } = await import('./loadPluginValues.js');
    const values = await loadPluginValues(cliRoot);
    writeValuesCache(path, fingerprint, values);
    return values;
  } catch {
    return undefined; // two plugins claim one name, or oclif cannot load: `vault --debug ...` says why
  }
}

function writeOut(text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}
