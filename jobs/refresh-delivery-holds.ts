// Job `refresh-delivery-holds` (queue shipping): daily, waiting orders whose requested date came near
// (or whose stock is held) move on.
// Idempotency: only orders whose holds say so move.
// Enqueues next: nothing.
import { refreshDeliveryHolds } from '../usecases/refresh-delivery-holds.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

export function processRefreshDeliveryHolds(_data: JobCatalogue['refresh-delivery-holds'], deps: JobDeps) {
  return refreshDeliveryHolds(deps);
}
