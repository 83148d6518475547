import { hasTerminal, needsUserError, nonInteractiveRequested, VaultError, type DebugLogger, type MfaPrompt, type PromptContext, type PromptDefinition } from '@awsvault/core';
import type { Registry } from './registry.js';

/**
 * The MFA prompt to use, chosen only when a code is really needed (a cached session asks nothing).
 * `--prompt` / `AWS_VAULT_PROMPT` wins; otherwise aws-vault's rule: the terminal when stdout is a
 * terminal, else the first available non-terminal prompt in alphabetical order, else the terminal.
 *
 * Nothing waits for an answer that cannot come: with `VAULT_NON_INTERACTIVE=1`, or when the prompt
 * chosen needs a terminal and none can be opened, the code is not asked for; the error names the
 * profile (and a desktop notification says the same where one can be shown).
 */
export function lazyPrompt(registry: Registry, requested: string | undefined, ctx: PromptContext, debug: DebugLogger, avoidTerminal = false, profileName?: string): MfaPrompt {
  let chosen: Promise<PromptDefinition> | undefined;
  return async (serial) => {
    if (nonInteractiveRequested(ctx.env)) throw await mfaNeeded(profileName, serial, ctx);
    chosen ??= choosePrompt(registry, requested, ctx, debug, avoidTerminal);
    const definition = await chosen;
    if (definition.interactive && !hasTerminal()) throw await mfaNeeded(profileName, serial, ctx);
    return definition.prompt(serial, ctx);
  };
}

function mfaNeeded(profileName: string | undefined, serial: string, ctx: PromptContext): Promise<VaultError> {
  const name = profileName ?? serial;
  return needsUserError(name, 'an MFA code', {
    env: ctx.env,
    debug: ctx.debug,
    hint: `run \`vault exec ${name}\` in a terminal, or use --mfa-token, mfa_process or a GUI prompt (--prompt zenity)`,
  });
}

async function choosePrompt(registry: Registry, requested: string | undefined, ctx: PromptContext, debug: DebugLogger, avoidTerminal: boolean): Promise<PromptDefinition> {
  if (requested) {
    const definition = registry.prompts.get(requested);
    if (!definition) {
      throw new VaultError('PROMPT_UNKNOWN', `prompt ${requested} is not installed (installed: ${[...registry.prompts.keys()].sort().join(', ') || 'none'})`, {
        hint: `vault plugins install prompt-${requested}`,
      });
    }
    debug(`using prompt driver ${requested} (requested)`);
    return definition;
  }
  const terminal = registry.prompts.get('terminal');
  if (terminal && process.stdout.isTTY && !avoidTerminal) {
    debug('using prompt driver terminal');
    return terminal;
  }
  for (const name of [...registry.prompts.keys()].sort()) {
    const definition = registry.prompts.get(name);
    if (!definition || definition.interactive) continue;
    if (definition.isAvailable && !(await definition.isAvailable(ctx))) continue;
    debug(`using prompt driver ${name}`);
    return definition;
  }
  if (terminal) {
    debug('using prompt driver terminal');
    return terminal;
  }
  throw new VaultError('PROMPT_UNAVAILABLE', 'no MFA prompt is available', { hint: 'pass --mfa-token, set mfa_process, or install a prompt plugin' });
}
