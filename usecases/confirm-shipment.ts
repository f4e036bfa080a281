// Operation: 出荷完了. The held stock leaves the warehouse and the tracking number is recorded, in
// the same transaction; what the order gave back is settled after commit.
import { type Actor, reservedProductCodes, setTracking } from '../db/order-status.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import { bookShipmentSales } from './book-shipment-sales.js';
import type { UseCaseDeps } from './deps.js';
import { actionContext, moveOrder } from './move-order.js';
import type { ChangeResult } from './results.js';
import { settleAfterOrderMove } from './settle-after-stock-change.js';

export interface ConfirmShipmentInput {
  orderId: number;
  trackingNumber?: string | null;
  carrier?: string | null;
  actor: Actor;
}

export async function confirmShipment(deps: UseCaseDeps, input: ConfirmShipmentInput): Promise<ChangeResult> {
  const ctx = await actionContext(deps.db, deps.now());
  let freed: string[] = [];
  const r = await withTransaction(deps.db, async (trx) => {
    freed = await reservedProductCodes(trx, input.orderId);
    const moved = await moveOrder(trx, input.orderId, S.shipped, input.actor, ctx);
    if (moved.ok) await setTracking(trx, input.orderId, input);
    if (moved.ok) await bookShipmentSales(trx, input.orderId, ctx.now, input.actor); // 売上, same transaction
    return moved;
  });
  if (r.ok) await settleAfterOrderMove(deps, input.orderId, freed);
  return r;
}
