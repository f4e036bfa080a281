// Operation: 棚卸し correction. On hand becomes what was counted; if that is below what is reserved,
// the youngest orders not yet handed to the warehouse give stock back (db/stock.ts). Then the
// orders that lost stock, and any waiting ones, are settled.
import type { Db } from '../db/db.js';
import { correctStock as setOnHand } from '../db/stock.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { type SettleResult, settleAfterStockChange } from './settle-after-stock-change.js';

export interface Count {
  productCode: string;
  warehouse: string;
  counted: number;
}

/** The correction alone, in the caller's transaction (uploads apply many, then settle once). */
export function applyCount(trx: Db, c: Count): Promise<{ onHand: number; releasedOrderIds: number[] }> {
  return setOnHand(trx, c.productCode, c.warehouse, c.counted);
}

export async function correctStock(
  deps: UseCaseDeps,
  count: Count,
): Promise<{ onHand: number; releasedOrderIds: number[]; settled: SettleResult }> {
  const r = await withTransaction(deps.db, (trx) => applyCount(trx, count));
  const settled = await settleAfterStockChange(deps, {
    productCodes: [count.productCode],
    orderIds: r.releasedOrderIds,
  });
  return { ...r, settled };
}
