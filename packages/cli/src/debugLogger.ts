import type { DebugLogger } from '@awsvault/core';

/** `--debug` output on stderr, time-stamped like aws-vault's (`2006/01/02 15:04:05 message`). */
export function stderrDebugLogger(): DebugLogger {
  return (message) => {
    const now = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    const stamp = `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
    process.stderr.write(`${stamp} ${message}\n`);
  };
}
