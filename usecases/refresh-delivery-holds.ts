// Operation: the daily look at 在庫なし / 納期指定あり orders: a requested date that came near, or
// stock that is now held, moves the order on.
import { waitingOrderIds } from '../db/order-selection.js';
import type { UseCaseDeps } from './deps.js';
import { settleOrders } from './settle-after-stock-change.js';

export async function refreshDeliveryHolds(deps: UseCaseDeps) {
  const waiting = await waitingOrderIds(deps.db);
  const moved = await settleOrders(deps, waiting);
  return { checked: waiting.length, released: moved.length };
}
