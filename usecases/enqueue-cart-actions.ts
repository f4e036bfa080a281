// After commit: a delivery job per recorded cart action. The job id is the action's id and its 再送
// round, so a live job is never doubled (the sweep may ask again) and a human's 再送 gets a new one.
// Without a queue (a caller that has none) the scheduled sweep enqueues them within a minute.
import { jobIds } from '../jobs/catalogue.js';
import type { Queues } from '../jobs/queues.js';

export type CartActionQueue = Pick<Queues, 'add'>;

export async function enqueueCartActions(
  queues: CartActionQueue | undefined,
  actions: ReadonlyArray<{ id: number; retries?: number }>,
): Promise<void> {
  if (!queues) return;
  for (const a of actions)
    await queues.add(
      'deliver-cart-action',
      { actionId: a.id },
      { jobId: jobIds.cartAction(a.id, a.retries ?? 0) },
    );
}
