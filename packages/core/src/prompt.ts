import type { DebugLogger } from './logger.js';

/** Asks for the current MFA code of a device; resolves the code, trimmed. @public */
export type MfaPrompt = (mfaSerial: string) => Promise<string>;

/** What the CLI hands a prompt. @public */
export interface PromptContext {
  env: Readonly<Record<string, string | undefined>>;
  debug: DebugLogger;
}

/** An MFA prompt as a plugin declares it. @public */
export interface PromptDefinition {
  kind: 'prompt';
  name: string;
  /** Whether this prompt can work here (binary on PATH, a terminal present). */
  isAvailable?(ctx: PromptContext): Promise<boolean> | boolean;
  /** True for prompts that need a terminal (auto-selection avoids them when there is none). */
  interactive?: boolean;
  prompt(mfaSerial: string, ctx: PromptContext): Promise<string>;
}

/** The default export of a plugin's `vault:prompt` hook file. @public */
export function definePrompt(definition: Omit<PromptDefinition, 'kind'>): () => Promise<PromptDefinition> {
  const full: PromptDefinition = { ...definition, kind: 'prompt' };
  return async () => full;
}

/** The message every prompt shows, as aws-vault words it. @public */
export function mfaPromptMessage(mfaSerial: string): string {
  return `Enter MFA code for ${mfaSerial}: `;
}
