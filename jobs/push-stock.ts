// Job `push-stock` (queue stock): 在庫連携 for one store as a whole — daily the full sync (re-read the
// cart, record drift, record what differs), or an operator's full sync from the screen/CLI. It sends
// nothing itself: what must go is recorded in the cart-actions outbox and delivered by
// deliver-cart-action (usecases/request-stock-push.ts), so the store's limiter and batches are the
// same as for a single change. The cart read goes through the store's shared limiter (deps.actionsFor).
// Idempotency: absolute quantities; one pending action per store × product (coalesced).
// Enqueues next: deliver-cart-action per recorded action (the outbox sweep re-enqueues a lost one).
// A failed cart read fails the job (BullMQ retries, Bull Board shows it); nothing was recorded then.
import { requestStockPush } from '../usecases/request-stock-push.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

export async function processPushStock(data: JobCatalogue['push-stock'], deps: JobDeps) {
  return requestStockPush(
    { db: deps.db, now: deps.now, queues: deps.queues, actionsFor: deps.actionsFor },
    { storeCode: data.storeCode, full: data.full, actor: data.full ? 'stock-full-sync' : 'stock-push' },
  );
}
