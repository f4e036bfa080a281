// After commit: a delivery job per recorded cart action. The job id is the action's id and its 再送
// round, so a live job is never doubled (the sweep may ask again) and a human's 再送 gets a new one.
// Enqueueing never fails the operation: the order change is committed already, and an action whose
// job could not be added (Redis down, a caller without a queue) is pending and due, so the minute's
// sweep (sweep-cart-actions.ts) enqueues it.
import { jobIds } from '../jobs/catalogue.js';
import type { Queues } from '../jobs/queues.js';
import type { UseCaseDeps } from './deps.js';

export type CartActionQueue = Pick<Queues, 'add'>;

/** What a use case that records cart actions takes: its queue, when the caller has one. */
export type CartActionDeps = UseCaseDeps & { queues?: CartActionQueue };

type Due = ReadonlyArray<{ id: number; retries?: number }>;

/** New jobs for actions just recorded (or sent again). False: not all could be added (the sweep will). */
export async function enqueueCartActions(
  queues: CartActionQueue | undefined,
  actions: Due,
): Promise<boolean> {
  if (!queues) return actions.length === 0;
  try {
    for (const a of actions)
      await queues.add(
        'deliver-cart-action',
        { actionId: a.id },
        { jobId: jobIds.cartAction(a.id, a.retries ?? 0) },
      );
    return true;
  } catch {
    return false;
  }
}

/** A kept job as much as the redelivery reads of it (BullMQ's Job). */
interface KeptJob {
  getState(): Promise<string>;
  retry(
    state: 'completed' | 'failed',
    opts: { resetAttemptsMade: boolean; resetAttemptsStarted: boolean },
  ): Promise<void>;
}

export type CartActionRedelivery = Pick<Queues, 'add'> & {
  shipping: { getJob(id: string): Promise<KeptJob | undefined> };
};

/**
 * Jobs again for actions that are due but may have none (the sweep; a coalesced value that waited
 * behind a delivered one). BullMQ ignores an add whose id it still keeps, and a finished job of that
 * id does not run again: one that completed without sending (the action was leased by a worker that
 * died, or waited behind an older value) or that failed while the action stayed pending (PostgreSQL
 * down while it ran). Such a job is retried the way Bull Board retries one, with fresh attempts; a
 * job that is waiting, delayed or active is left alone. Returns how many jobs were added or retried.
 */
export async function redeliverCartActions(queues: CartActionRedelivery, actions: Due): Promise<number> {
  let n = 0;
  for (const a of actions) {
    const jobId = jobIds.cartAction(a.id, a.retries ?? 0);
    const job = await queues.shipping.getJob(jobId);
    if (!job) {
      await queues.add('deliver-cart-action', { actionId: a.id }, { jobId });
      n++;
      continue;
    }
    const state = await job.getState();
    if (state !== 'completed' && state !== 'failed') continue;
    try {
      await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
      n++;
    } catch {
      // It moved meanwhile (another sweep retried it, or it was trimmed): the next sweep looks again.
    }
  }
  return n;
}
