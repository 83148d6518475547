const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go duration (`1h`, `90m`, `1h30m`, `43200s`, `1.5h`) into milliseconds, as aws-vault's
 * flags and `*_TTL` variables take it. A bare number other than `0` has no unit and is rejected.
 * Returns undefined when the text is not a duration.
 * @public
 */
export function parseGoDuration(text: string): number | undefined {
  const input = text.trim();
  if (input === '0' || input === '+0' || input === '-0') return 0;
  const match = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(input);
  if (!match) return undefined;
  let total = 0;
  for (const part of input.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (UNITS[part[2] ?? ''] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) return undefined;
  return match[1] === '-' ? -total : total;
}

/** Formats milliseconds as Go's `time.Duration.String()` does for whole seconds: `1h0m0s`, `59m58s`, `-5s`. @public */
export function formatGoDuration(ms: number): string {
  const negative = ms < 0;
  let seconds = Math.trunc(Math.abs(ms) / 1000);
  if (seconds === 0) return '0s';
  const h = Math.trunc(seconds / 3600);
  seconds -= h * 3600;
  const m = Math.trunc(seconds / 60);
  seconds -= m * 60;
  const text = h > 0 ? `${h}h${m}m${seconds}s` : m > 0 ? `${m}m${seconds}s` : `${seconds}s`;
  return negative ? `-${text}` : text;
}
