// mapBounded (carts/bounded.ts): the pool Yahoo!'s orderInfo calls run in. Driven by promises the
// test resolves by hand, so no timing is assumed.
import { describe, expect, it } from 'vitest';
import { mapBounded } from './bounded.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('mapBounded', () => {
  it('keeps at most `limit` calls in flight and returns results in the items’ order', async () => {
    const calls = new Map<number, ReturnType<typeof deferred<string>>>();
    let inFlight = 0;
    let most = 0;
    const run = mapBounded([1, 2, 3, 4, 5], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const d = deferred<string>();
      calls.set(n, d);
      try {
        return await d.promise;
      } finally {
        inFlight--;
      }
    });
    await tick();
    expect([...calls.keys()]).toEqual([1, 2]);
    // Answers out of order: the later item first.
    calls.get(2)!.resolve('b');
    await tick();
    expect([...calls.keys()]).toEqual([1, 2, 3]);
    calls.get(3)!.resolve('c');
    await tick();
    calls.get(1)!.resolve('a');
    await tick();
    calls.get(5)!.resolve('e');
    calls.get(4)!.resolve('d');
    expect(await run).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(2);
  });

  it('on the first failure starts nothing new, cancels the calls in flight and throws that failure', async () => {
    const started: number[] = [];
    const aborted: number[] = [];
    const calls = new Map<number, ReturnType<typeof deferred<number>>>();
    const run = mapBounded([1, 2, 3, 4], 2, (n, signal) => {
      started.push(n);
      const d = deferred<number>();
      calls.set(n, d);
      signal.addEventListener('abort', () => {
        aborted.push(n);
        d.reject(new DOMException('aborted', 'AbortError'));
      });
      return d.promise;
    });
    await tick();
    calls.get(2)!.reject(new Error('orderInfo 2 failed'));
    await expect(run).rejects.toThrow('orderInfo 2 failed');
    expect(started).toEqual([1, 2]);
    expect(aborted).toContain(1); // the call still in flight was told to stop
  });

  it('an outer abort cancels the calls in flight; an empty list makes no call', async () => {
    const outer = new AbortController();
    const run = mapBounded(
      [1, 2, 3],
      3,
      (_n, signal) => {
        return new Promise<number>((_res, rej) =>
          signal.addEventListener('abort', () => rej(new DOMException('stopped', 'AbortError'))),
        );
      },
      outer.signal,
    );
    await tick();
    outer.abort();
    await expect(run).rejects.toThrow('stopped');
    let called = false;
    expect(
      await mapBounded([], 2, async () => {
        called = true;
      }),
    ).toEqual([]);
    expect(called).toBe(false);
  });
});
