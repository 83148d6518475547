/**
 * Runs tasks for one key one after another, and tasks for different keys independently: a
 * backend's writes and removes of one item never interleave inside one process. `normalize` maps
 * keys the store treats as one (Windows compares target names without regard to case).
 * @public
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();

  constructor(private readonly normalize: (key: string) => string = (key) => key) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const name = this.normalize(key);
    const result = (this.#tails.get(name) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.#tails.set(name, tail);
    void tail.then(() => {
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    });
    return result;
  }
}
