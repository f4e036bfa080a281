// Job `deliver-cart-action` (queue shipping): send one outbox action to its cart.
// Idempotency: job id cart-action-<id>-r<round>; the action is claimed with a lease in PostgreSQL, so
// a duplicate job (or one the sweep enqueued again) finds it taken or done and sends nothing.
// A transient failure throws (BullMQ retries with backoff); the last attempt marks it 失敗, which a
// retry on Bull Board (one more attempt: the job's attempts are spent) or 再送 sends again. A refusal
// completes the job: it waits for a human (要対応, 再送 on the order screen). Refused credentials fail
// the job at once (UnrecoverableError): retrying cannot help until an admin enters new ones. A
// request still waiting for its rate-limit token when the worker is told to stop is not sent: the
// action is pending again and the job delayed to its retry time without spending an attempt.
// Enqueues next: a newer coalesced value waiting behind this one.
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { isCartError } from '../carts/errors.js';
import { isLimiterStopped } from '../carts/rate-limit.js';
import { deliverCartAction } from '../usecases/deliver-cart-action.js';
import { retryDelay } from './backoff.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

export async function processDeliverCartAction(
  data: JobCatalogue['deliver-cart-action'],
  job: Job,
  deps: JobDeps,
  token?: string,
) {
  const attempts = job.opts.attempts ?? 1;
  const now = deps.now();
  const delay = retryDelay(job.attemptsMade + 1, undefined, deps.config.JOB_BACKOFF_MS);
  try {
    // The claim a killed worker holds: CART_ACTION_LEASE_SECONDS (drills shorten it).
    return await deliverCartAction(
      { ...deps, leaseMs: deps.config.CART_ACTION_LEASE_SECONDS * 1000 },
      {
        actionId: data.actionId,
        final: job.attemptsMade + 1 >= attempts,
        retryAt: new Date(now.getTime() + delay),
      },
    );
  } catch (e) {
    if (isCartError(e) && !e.retryable) throw new UnrecoverableError(e.message);
    // The worker is stopping and the request was still waiting for its token (nothing sent): the job
    // waits for the action's retry time without spending an attempt, as an import that progressed does.
    if (isLimiterStopped(e) && token) {
      deps.log.info({ job: job.id, actionId: data.actionId }, 'cart action not sent: worker stopping');
      await job.moveToDelayed(now.getTime() + delay, token);
      throw new DelayedError();
    }
    throw e;
  }
}
