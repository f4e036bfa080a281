// A small bounded pool for per-order detail calls (Yahoo!'s orderInfo): at most `limit` calls in
// flight, so a call's own round trip overlaps the limiter's interval instead of adding to it. The
// pace itself stays the limiter's (every call still takes its token before it is sent).

/**
 * `fn` over `items`, at most `limit` at a time, results in the items' order. On the first failure
 * nothing new starts, the calls in flight are cancelled (the signal given to `fn` aborts) and that
 * first failure is thrown, not the cancellations it caused.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  signal?.throwIfAborted();
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && !ctrl.signal.aborted && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, ctrl.signal);
      } catch (e) {
        if (failure === null) {
          failure = { error: e };
          ctrl.abort(e);
        }
        return;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  signal?.throwIfAborted();
  return results;
}
