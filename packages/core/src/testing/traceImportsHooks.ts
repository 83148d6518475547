import { appendFileSync } from 'node:fs';

let file: string | undefined;

export function initialize(data: { file?: string }): void {
  file = data.file;
}

export async function resolve(
  specifier: string,
  context: unknown,
  next: (specifier: string, context: unknown) => Promise<{ url: string }>,
): Promise<{ url: string }> {
  const result = await next(specifier, context);
  if (file) appendFileSync(file, `${result.url}\n`);
  return result;
}
