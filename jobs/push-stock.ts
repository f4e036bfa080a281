// Job `push-stock` (queue stock): 在庫連携 for one store as a whole — daily the full sync (re-read the
// cart, record drift, send what differs), or when an operator asks (今すぐ送信・再送信). A single
// change (an import that reserved, a cancel, an arrival, …) goes through the cart-actions outbox
// instead (deliver-cart-action). Both send through the store's shared limiter (deps.actionsFor).
// Idempotency: absolute quantities; an item the cart already shows is not sent again.
// Enqueues next: nothing. A failed cart call is recorded per item and sent again on the next run;
// the job itself fails (BullMQ retries, Bull Board shows it) when the cart was down.
import { pushStoreStock } from '../usecases/push-stock.js';
import type { JobCatalogue } from './catalogue.js';
import type { JobDeps } from './deps.js';

export async function processPushStock(data: JobCatalogue['push-stock'], deps: JobDeps) {
  const report = await pushStoreStock(
    { db: deps.db, now: deps.now, actionsFor: deps.actionsFor },
    { storeCode: data.storeCode, full: data.full },
  );
  if (report.error && report.failed > 0 && report.accepted === 0) {
    throw new Error(`在庫連携 ${data.storeCode}: ${report.failed} 件を送れませんでした: ${report.error}`);
  }
  return report;
}
