// Operation: the outbox sweep. Actions whose delivery job was lost (Redis restarted and forgot it, a
// caller without a queue, a worker killed mid-delivery whose lease ran out) are enqueued again. Job ids
// are the action's id and round, so a job that is still there is not doubled.
import { dueCartActions } from '../db/cart-actions.js';
import type { UseCaseDeps } from './deps.js';
import { type CartActionQueue, enqueueCartActions } from './enqueue-cart-actions.js';

export async function sweepCartActions(deps: UseCaseDeps & { queues: CartActionQueue }): Promise<number> {
  const due = await dueCartActions(deps.db, deps.now());
  await enqueueCartActions(deps.queues, due);
  return due.length;
}
