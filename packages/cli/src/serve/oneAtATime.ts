/**
 * Wraps an async function so calls run one after another: the daemon may need MFA codes for two
 * profiles at once, and two prompts on one terminal would interleave.
 */
export function oneAtATime<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let last: Promise<unknown> = Promise.resolve();
  return (...args: A): Promise<R> => {
    const run = last.then(() => fn(...args));
    last = run.catch(() => undefined);
    return run;
  };
}
