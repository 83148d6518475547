import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the AWS config and credentials files are, as the AWS CLI finds them. @public */
export interface ConfigFilePaths {
  configFile: string;
  credentialsFile: string;
}

/** `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`. @public */
export function configFilePaths(env: Readonly<Record<string, string | undefined>>, home: string = homeDirectory(env)): ConfigFilePaths {
  return {
    configFile: expandHome(env['AWS_CONFIG_FILE'] || join(home, '.aws', 'config'), home),
    credentialsFile: expandHome(env['AWS_SHARED_CREDENTIALS_FILE'] || join(home, '.aws', 'credentials'), home),
  };
}

/** The user's home: `HOME` (or `USERPROFILE`) from the given environment, else the OS's answer. @public */
export function homeDirectory(env: Readonly<Record<string, string | undefined>>): string {
  return env['HOME'] || env['USERPROFILE'] || homedir();
}

/** Expands a leading `~/` (or `~\`) with the home directory. @public */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}
