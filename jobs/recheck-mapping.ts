// Job `recheck-mapping` (queue maintenance): a store mapping (or, storeCode null, a product code to
// the master) was added; the orders waiting in マスタなし商品 on that cart code are checked again.
// Idempotency: only lines still unknown are filled; only マスタなし orders move.
// Enqueues next: nothing.
import { recheckMapping } from '../usecases/recheck-mapping.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

export function processRecheckMapping(data: JobCatalogue['recheck-mapping'], deps: JobDeps) {
  return recheckMapping(deps, data);
}
