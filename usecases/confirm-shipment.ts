// Operation: 出荷完了. The held stock leaves the warehouse and the tracking number is recorded, in
// the same transaction, with the `ship` cart actions it implies (per package, with carrier and
// tracking numbers: usecases/record-ship-actions.ts); what the order gave back is settled and the
// actions' delivery jobs enqueued after commit.
import { type Actor, reservedProductCodes, setTracking } from '../db/order-status.js';
import { recordStockActions } from '../db/stock-push.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import { bookShipmentSales } from './book-shipment-sales.js';
import { type CartActionDeps, enqueueCartActions } from './enqueue-cart-actions.js';
import { actionContext, moveOrder } from './move-order.js';
import { recordShipActions } from './record-ship-actions.js';
import type { ChangeResult } from './results.js';
import { settleAfterOrderMove } from './settle-after-stock-change.js';

export interface ConfirmShipmentInput {
  orderId: number;
  trackingNumber?: string | null;
  carrier?: string | null;
  actor: Actor;
}

export async function confirmShipment(
  deps: CartActionDeps,
  input: ConfirmShipmentInput,
): Promise<ChangeResult> {
  const ctx = await actionContext(deps.db, deps.now());
  let freed: string[] = [];
  let actionIds: number[] = [];
  let stockActionIds: number[] = [];
  const r = await withTransaction(deps.db, async (trx) => {
    freed = await reservedProductCodes(trx, input.orderId);
    const moved = await moveOrder(trx, input.orderId, S.shipped, input.actor, ctx);
    if (moved.ok) await setTracking(trx, input.orderId, input);
    if (moved.ok) await bookShipmentSales(trx, input.orderId, ctx.now, input.actor); // 売上, same transaction
    if (moved.ok) {
      const o = await trx
        .selectFrom('orders')
        .select(['store_id', 'cart_order_no'])
        .where('id', '=', input.orderId)
        .executeTakeFirstOrThrow();
      actionIds = await recordShipActions(
        trx,
        { ...input, orderId: input.orderId, storeId: o.store_id, cartOrderNo: o.cart_order_no },
        ctx.now,
      );
      // 在庫連携: the shipped units left on hand and reserved alike; recorded as any stock move.
      stockActionIds = await recordStockActions(trx, freed, { now: ctx.now, actor: input.actor });
    }
    return moved;
  });
  if (r.ok) await settleAfterOrderMove(deps, input.orderId, freed, stockActionIds);
  if (r.ok)
    await enqueueCartActions(
      deps.queues,
      actionIds.map((id) => ({ id })),
    );
  return r;
}
