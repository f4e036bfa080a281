// Job `sweep-cart-actions` (queue shipping, every minute): enqueue again the cart actions whose
// delivery job was lost. Idempotency: one job per slot (jobIds.sweep); delivery job ids dedupe.
// Enqueues next: deliver-cart-action for each due action.
import { sweepCartActions } from '../usecases/sweep-cart-actions.js';
import type { JobDeps } from './deps.js';

export async function processSweepCartActions(deps: JobDeps) {
  return { enqueued: await sweepCartActions(deps) };
}
