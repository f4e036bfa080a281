// Operation: 出荷完了. The held stock leaves the warehouse and the tracking number is recorded, in
// the same transaction, with the `ship` cart actions it implies (per package, with carrier and
// tracking numbers: usecases/record-ship-actions.ts); what the order gave back is settled and the
// actions' delivery jobs enqueued after commit. A shipment file applies the same step to a batch of
// orders in one transaction (usecases/apply-shipment-file.ts): `shipInTransaction`, then
// `afterShipments` once the batch has committed.
import type { Db } from '../db/db.js';
import { productCodesOfOrders } from '../db/order-selection.js';
import { type Actor, reservedProductCodes, setTracking } from '../db/order-status.js';
import { recordStockActions } from '../db/stock-push.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import { bookShipmentSales } from './book-shipment-sales.js';
import { type CartActionDeps, enqueueCartActions } from './enqueue-cart-actions.js';
import { type ActionContext, actionContext, moveOrder } from './move-order.js';
import { recordShipActionsOfOrder } from './record-ship-actions.js';
import type { ChangeResult } from './results.js';
import { settleAfterOrderMove, settleAfterStockChange } from './settle-after-stock-change.js';

export interface ConfirmShipmentInput {
  orderId: number;
  trackingNumber?: string | null;
  carrier?: string | null;
  actor: Actor;
}

export interface ShipStep {
  result: ChangeResult;
  /** Products whose stock the order held (settled after commit). */
  freed: string[];
  /** The cart actions recorded (their delivery enqueued after commit). */
  actionIds: number[];
  /** 在庫連携 stock actions recorded (delivered with the settle). */
  stockActionIds: number[];
}

/** 出荷完了 of one order inside the caller's transaction; a refusal changes nothing and comes back. */
export async function shipInTransaction(
  trx: Db,
  input: ConfirmShipmentInput,
  ctx: ActionContext,
): Promise<ShipStep> {
  const freed = await reservedProductCodes(trx, input.orderId);
  const moved = await moveOrder(trx, input.orderId, S.shipped, input.actor, ctx);
  if (!moved.ok) return { result: moved, freed: [], actionIds: [], stockActionIds: [] };
  await setTracking(trx, input.orderId, input);
  await bookShipmentSales(trx, input.orderId, ctx.now, input.actor); // 売上, same transaction
  const actionIds = await recordShipActionsOfOrder(trx, input.orderId, input, ctx.now);
  // 在庫連携: the shipped units left on hand and reserved alike; recorded as any stock move.
  const stockActionIds = await recordStockActions(trx, freed, { now: ctx.now, actor: input.actor });
  return { result: moved, freed, actionIds, stockActionIds };
}

/** After a batch of shipments committed: one settle for all of them, then the cart actions' jobs. */
export async function afterShipments(deps: CartActionDeps, steps: readonly ShipStep[]): Promise<number> {
  const shipped = steps.filter((s) => s.result.ok);
  if (shipped.length === 0) return 0;
  const ids = shipped.map((s) => s.result.orderId);
  const products = new Set([
    ...shipped.flatMap((s) => s.freed),
    ...(await productCodesOfOrders(deps.db, ids)),
  ]);
  const settled = await settleAfterStockChange(deps, {
    productCodes: [...products],
    orderIds: ids,
    stockActionIds: shipped.flatMap((s) => s.stockActionIds),
  });
  await enqueueCartActions(
    deps.queues,
    shipped.flatMap((s) => s.actionIds.map((id) => ({ id }))),
  );
  return settled.moved.length;
}

export async function confirmShipment(
  deps: CartActionDeps,
  input: ConfirmShipmentInput,
): Promise<ChangeResult> {
  const ctx = await actionContext(deps.db, deps.now());
  const step = await withTransaction(deps.db, (trx) => shipInTransaction(trx, input, ctx));
  if (step.result.ok) await settleAfterOrderMove(deps, input.orderId, step.freed, step.stockActionIds);
  if (step.result.ok)
    await enqueueCartActions(
      deps.queues,
      step.actionIds.map((id) => ({ id })),
    );
  return step.result;
}
