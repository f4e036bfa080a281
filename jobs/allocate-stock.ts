// Job `allocate-stock` (queue stock-allocation): the allocation sweep (every 5 minutes, and on demand).
// Idempotency: allocation only fills shortfalls, oldest order first; settling only moves orders
//   whose holds say so.
// Enqueues next: nothing.
import { allocateWaitingStock } from '../usecases/allocate-waiting-stock.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

export function processAllocateStock(data: JobCatalogue['allocate-stock'], deps: JobDeps) {
  return allocateWaitingStock(deps, { productCodes: data.productCodes ?? undefined });
}
