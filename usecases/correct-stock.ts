// Operation: 棚卸し correction. On hand becomes what was counted; if that is below what is reserved,
// the youngest orders not yet handed to the warehouse give stock back (db/stock.ts) — a set's line
// (セット商品) its whole holding, never a part. Then the products freed (the counted one and those
// sets' other components) go to the oldest waiting orders, and the orders that lost stock settle.
import type { Db } from '../db/db.js';
import { correctStock as setOnHand } from '../db/stock.js';
import { recordStockActions } from '../db/stock-push.js';
import { withTransaction } from '../infra/postgres.js';
import { type SettleDeps, type SettleResult, settleAfterStockChange } from './settle-after-stock-change.js';

export interface Count {
  productCode: string;
  warehouse: string;
  counted: number;
}

export interface CountApplied {
  onHand: number;
  releasedOrderIds: number[];
  /** Products whose stock the correction freed (to allocate after commit). */
  releasedProducts: string[];
}

/** The correction alone, in the caller's transaction (uploads apply many, then settle once). */
export function applyCount(trx: Db, c: Count): Promise<CountApplied> {
  return setOnHand(trx, c.productCode, c.warehouse, c.counted);
}

export async function correctStock(
  deps: SettleDeps,
  count: Count,
): Promise<CountApplied & { settled: SettleResult }> {
  let stockActionIds: number[] = [];
  const r = await withTransaction(deps.db, async (trx) => {
    const applied = await applyCount(trx, count);
    stockActionIds = await recordStockActions(trx, [count.productCode, ...applied.releasedProducts], {
      now: deps.now(),
      actor: 'stock',
    });
    return applied;
  });
  const settled = await settleAfterStockChange(deps, {
    productCodes: [count.productCode, ...r.releasedProducts],
    orderIds: r.releasedOrderIds,
    stockActionIds,
  });
  return { ...r, settled };
}
