import type { SourceDefinition } from '@awsvault/core';

/** aws-vault's source order: SSO, then web identity, then credential_process; plugins' sources after. */
export function sortSources(sources: Iterable<SourceDefinition>): SourceDefinition[] {
  const rank = (name: string) => {
    const index = ['sso', 'web-identity', 'process'].indexOf(name);
    return index < 0 ? 99 : index;
  };
  return [...sources].sort((a, b) => rank(a.name) - rank(b.name));
}
