// Retry timing for every job: exponential with jitter, and never sooner than a cart asked us to
// wait (429 Retry-After). Errors that retrying cannot fix never reach here (UnrecoverableError).
import { CartRateLimitError } from '../carts/errors.js';

const MAX_MS = 15 * 60_000;

export function retryDelay(
  attemptsMade: number,
  err?: Error,
  baseMs = 5_000,
  random: () => number = Math.random,
): number {
  const exp = Math.min(MAX_MS, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = exp * (0.7 + random() * 0.6);
  const floor = err instanceof CartRateLimitError && err.retryAfterMs !== null ? err.retryAfterMs : 0;
  return Math.round(Math.max(jittered, floor));
}

/** BullMQ worker `settings.backoffStrategy` for jobs with `backoff: { type: 'cart' }`. */
export function backoffStrategy(baseMs: number) {
  return (attemptsMade: number, _type?: string, err?: Error): number => retryDelay(attemptsMade, err, baseMs);
}
