// Job `shipping-instruction` (queue shipping): a store's scheduled 出荷指示.
// Idempotency: only ready orders move; a second run finds none.
// Enqueues next: nothing.
import { S } from '../domain/statuses.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

export async function processShippingInstruction(data: JobCatalogue['shipping-instruction'], deps: JobDeps) {
  const results = await shippingInstruction(deps, {
    storeCodes: [data.storeCode],
    actor: data.requestedBy ?? 'schedule',
  });
  // Orders the cart has not released (Rakuten 100/200) stay ready: the job says which and why.
  const notReleased = results.filter((r) => r.notReleased);
  return {
    store: data.storeCode,
    instructed: results.filter((r) => r.ok && r.to === S.shipping).length,
    backToWaiting: results.filter((r) => r.to === S.waiting).length,
    ...(notReleased.length
      ? { notReleased: notReleased.length, skipped: notReleased.slice(0, 20).map((r) => r.message) }
      : {}),
  };
}
