// Operation: the outbox sweep, the safety net behind the after-commit enqueue. Actions whose delivery
// job was lost (Redis restarted and forgot it, a caller without a queue or whose enqueue failed, a
// worker killed mid-delivery whose lease ran out) get their job again; a job of the same id that
// finished without delivering is retried (enqueue-cart-actions.ts redeliverCartActions says when).
import { dueCartActions } from '../db/cart-actions.js';
import type { UseCaseDeps } from './deps.js';
import { type CartActionRedelivery, redeliverCartActions } from './enqueue-cart-actions.js';

export async function sweepCartActions(
  deps: UseCaseDeps & { queues: CartActionRedelivery },
): Promise<number> {
  const due = await dueCartActions(deps.db, deps.now());
  await redeliverCartActions(deps.queues, due);
  return due.length;
}
