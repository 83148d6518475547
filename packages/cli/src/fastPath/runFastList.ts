import { configFilePaths, homeDirectory, loadAwsConfig, silentLogger } from '@awsvault/core';
import { listView, renderList } from '../list/renderList.js';
import { selectBackend } from '../selectBackend.js';
import { bundledRegistry } from './bundledRegistry.js';
import { userPluginHooks } from './userPluginHooks.js';
import { parseListArgs } from './parseListArgs.js';

const needsFullPath = (): never => {
  throw new Error('needs the full path');
};

/**
 * `vault list` without oclif: the same rendering as the command (list/renderList.ts) over one
 * listing of the store. Resolves the exit code, or undefined (having printed nothing) when oclif
 * must answer: flags it does not know, a user plugin, a passphrase, any error to report.
 */
export async function runFastList(argv: readonly string[], env: Record<string, string | undefined>): Promise<number | undefined> {
  const request = parseListArgs(argv, env);
  if (!request) return undefined;
  const userHooks = userPluginHooks(env);
  if (!userHooks) return undefined;
  let output: string;
  try {
    const config = loadAwsConfig(configFilePaths(env, homeDirectory(env)));
    if (request.only === 'profiles') {
      output = config.profileNames.map((name) => `${name}\n`).join('');
    } else {
      const backendEnv = { ...env, ...request.backendEnv };
      const registry = (await bundledRegistry(userHooks)) ?? needsFullPath();
      const backend = await selectBackend(registry, request.backend, { env: backendEnv, homeDir: homeDirectory(backendEnv), askPassphrase: needsFullPath, debug: silentLogger }, silentLogger);
      output = renderList(config, listView(config, await backend.keys(), Date.now()), env, request.only);
    }
  } catch {
    return undefined;
  }
  process.stdout.write(output);
  return 0;
}
