// Operation: move one order, or many (bulk, 自動確認 included), to a status. Each order in its own
// transaction (retried on deadlock); after commit, stock it gave back goes to the oldest waiting
// orders, an order that entered fulfillment gets stock, and statuses follow the holds.
import type { Db } from '../db/db.js';
import type { Actor } from '../db/order-status.js';
import { reservedProductCodes } from '../db/order-status.js';
import { recordStockActions } from '../db/stock-push.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import { bookShipmentSales } from './book-shipment-sales.js';
import { enqueueCartActions } from './enqueue-cart-actions.js';
import { actionContext, moveOrder } from './move-order.js';
import { recordShipActionsOfOrder } from './record-ship-actions.js';
import { type ChangeResult, failedChange } from './results.js';
import { type SettleDeps, settleAfterOrderMove } from './settle-after-stock-change.js';

export interface ChangeStatusInput {
  orderId: number;
  /** A status code, or `auto` (自動確認). */
  target: string;
  actor: Actor;
  reason?: string;
}

/**
 * `alsoInTransaction` runs in the move's transaction after a move that went through (the cancel use
 * case records its cart action there), so the two commit together or not at all.
 */
export async function changeStatus(
  deps: SettleDeps,
  input: ChangeStatusInput,
  alsoInTransaction?: (trx: Db, moved: ChangeResult, now: Date) => Promise<void>,
): Promise<ChangeResult> {
  const ctx = await actionContext(deps.db, deps.now());
  let freed: string[] = [];
  let stockActionIds: number[] = [];
  let shipActionIds: number[] = [];
  const result = await withTransaction(deps.db, async (trx) => {
    const before = await reservedProductCodes(trx, input.orderId);
    const r = await moveOrder(trx, input.orderId, input.target, input.actor, ctx, input.reason);
    freed = r.ok && (r.to === S.cancelled || r.to === S.shipped) ? before : [];
    // A move to 出荷完了 by status change (or a cancel too late) books the 売上 like a confirmation.
    // … and records the cart's `ship` actions, as 出荷確定 does (confirm-shipment.ts), in the same
    // transaction: a shipment the cart never hears of is the failure the outbox exists to prevent.
    if (r.ok && r.to === S.shipped) {
      await bookShipmentSales(trx, input.orderId, ctx.now, input.actor);
      shipActionIds = await recordShipActionsOfOrder(trx, input.orderId, { actor: input.actor }, ctx.now);
    }
    // 在庫連携: what the order gave back (a cancel) or took out (a shipment), per store × product.
    stockActionIds = await recordStockActions(trx, freed, { now: ctx.now, actor: input.actor });
    if (r.ok && alsoInTransaction) await alsoInTransaction(trx, r, ctx.now);
    return r;
  });
  if (result.ok) await settleAfterOrderMove(deps, input.orderId, freed, stockActionIds);
  if (result.ok)
    await enqueueCartActions(
      deps.queues,
      shipActionIds.map((id) => ({ id })),
    );
  return result;
}

export interface ChangeStatusesInput {
  orderIds: readonly number[];
  target: string;
  actor: Actor;
  reason?: string;
}

/** Bulk: a result per order, in id order (a stable lock order); one order's failure is its own. */
export async function changeStatuses(deps: SettleDeps, input: ChangeStatusesInput): Promise<ChangeResult[]> {
  const out: ChangeResult[] = [];
  for (const orderId of [...new Set(input.orderIds)].sort((a, b) => a - b)) {
    try {
      out.push(await changeStatus(deps, { ...input, orderId }));
    } catch (e) {
      out.push(failedChange(orderId, e));
    }
  }
  return out;
}
