import type { MfaPrompt } from '../prompt.js';

/** An `MfaPrompt` that answers with given codes (the last one repeats) and records the serials asked. @public */
export function fixedPrompt(...codes: string[]): MfaPrompt & { asked: string[] } {
  const asked: string[] = [];
  const prompt = async (serial: string) => {
    asked.push(serial);
    const code = codes[Math.min(asked.length - 1, codes.length - 1)];
    if (code === undefined) throw new Error('fixedPrompt: no code given');
    return code;
  };
  return Object.assign(prompt, { asked });
}
