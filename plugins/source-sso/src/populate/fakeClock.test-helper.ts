import type { Clock } from './clock.js';

/** A clock whose sleeps advance virtual time at once, recording each wait. */
export function fakeClock(start = 1_000_000): Clock & { sleeps: number[]; wakeups: number[]; advance(ms: number): void } {
  let now = start;
  const sleeps: number[] = [];
  const wakeups: number[] = [];
  return {
    sleeps,
    wakeups,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      wakeups.push(now + ms);
      now += ms;
    },
  };
}

/** An error shaped like the SDK's for an HTTP answer. */
export function awsError(name: string, status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status }, $response: { statusCode: status, headers } });
}
