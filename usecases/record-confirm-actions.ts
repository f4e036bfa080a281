// In-transaction step of an import page (import-page.ts) and of the operator's 注文確認
// (confirm-orders-at-cart.ts): a `confirm` cart action per Rakuten order waiting in 100 注文確認待ち,
// recorded in the outbox in the caller's transaction. One per order (key `confirm:<order>`): an order
// imported again, or confirmed twice, records once. Delivery sends them in batches of ≤ 100 numbers
// per confirmOrder call (deliver-cart-action.ts, the cart's `confirmBatch`).
import { recordCartActions } from '../db/cart-actions.js';
import type { Db } from '../db/db.js';

export const confirmKey = (orderId: number) => `confirm:${orderId}`;

/** Records a `confirm` action per order; returns the ids to deliver after commit. */
export async function recordConfirmActions(
  trx: Db,
  storeId: number,
  orders: ReadonlyArray<{ orderId: number; cartOrderNo: string }>,
  actor: string,
  now: Date,
): Promise<number[]> {
  if (orders.length === 0) return [];
  return recordCartActions(
    trx,
    orders.map((o) => ({
      storeId,
      orderId: o.orderId,
      cartOrderNo: o.cartOrderNo,
      kind: 'confirm' as const,
      key: confirmKey(o.orderId),
      payload: {},
      createdBy: actor,
    })),
    now,
  );
}
