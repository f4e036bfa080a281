// Operation: 入荷. Stock arrives in a warehouse (one guarded upsert per arrival, its own
// transaction); then the oldest waiting orders of the product get it and move on.

import type { Db } from '../db/db.js';
import { receiveStock as addOnHand } from '../db/stock.js';
import { recordStockActions } from '../db/stock-push.js';
import { withTransaction } from '../infra/postgres.js';
import { type SettleDeps, type SettleResult, settleAfterStockChange } from './settle-after-stock-change.js';

export interface Arrival {
  productCode: string;
  warehouse: string;
  quantity: number;
}

/** The arrival alone, in the caller's transaction (uploads apply many, then settle once). */
export function applyArrival(trx: Db, a: Arrival): Promise<number> {
  return addOnHand(trx, a.productCode, a.warehouse, a.quantity);
}

export async function receiveStock(
  deps: SettleDeps,
  arrival: Arrival,
): Promise<{ onHand: number; settled: SettleResult }> {
  let stockActionIds: number[] = [];
  const onHand = await withTransaction(deps.db, async (trx) => {
    const n = await applyArrival(trx, arrival);
    stockActionIds = await recordStockActions(trx, [arrival.productCode], {
      now: deps.now(),
      actor: 'stock',
    });
    return n;
  });
  return {
    onHand,
    settled: await settleAfterStockChange(deps, { productCodes: [arrival.productCode], stockActionIds }),
  };
}
