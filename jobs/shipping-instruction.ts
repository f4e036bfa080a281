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
  return {
    store: data.storeCode,
    instructed: results.filter((r) => r.ok && r.to === S.shipping).length,
    backToWaiting: results.filter((r) => r.to === S.waiting).length,
  };
}
