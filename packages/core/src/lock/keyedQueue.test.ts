import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedQueue } from './keyedQueue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedQueue', () => {
  it('runs tasks of one key in order, one at a time, and of other keys alongside', async () => {
    const queue = new KeyedQueue();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([queue.run('a', task('a1')), queue.run('a', task('a2')), queue.run('b', task('b1'))]);
    assert.deepEqual(results, ['a1', 'a2', 'b1']);
    assert.ok(events.indexOf('end a1') < events.indexOf('start a2'), events.join(', '));
    assert.ok(events.indexOf('start b1') < events.indexOf('end a1'), events.join(', '));
  });

  it('goes on after a failed task, and treats keys the normalizer maps together as one', async () => {
    const queue = new KeyedQueue((key) => key.toLowerCase());
    const events: string[] = [];
    const failed = queue.run('Dev', async () => {
      await tick();
      events.push('first');
      throw new Error('boom');
    });
    const next = queue.run('DEV', async () => {
      events.push('second');
      return 'ok';
    });
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'ok');
    assert.deepEqual(events, ['first', 'second']);
  });
});
