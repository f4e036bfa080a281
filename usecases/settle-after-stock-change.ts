// Operation: after stock changed (arrival, correction, release, cancel, shipment, an import), give
// the freed or new stock to the oldest waiting orders of those products, then put every touched
// order where its holds say. Each order settles in its own short transaction; allocation runs its
// own retry loop (db/stock.ts). Idempotent: running it twice moves nothing the second time.
import { orderProductCodes } from '../db/order-status.js';
import { type AllocationResult, allocateProducts } from '../db/stock.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { actionContext, settleOrder } from './move-order.js';
import type { ChangeResult } from './results.js';

export interface SettleInput {
  /** Products whose stock moved or that new orders need. */
  productCodes?: Iterable<string>;
  /** Orders whose holds changed (they may move even if no product is allocated). */
  orderIds?: Iterable<number>;
}

export interface SettleResult {
  allocated: AllocationResult[];
  moved: ChangeResult[];
}

export async function settleAfterStockChange(deps: UseCaseDeps, input: SettleInput): Promise<SettleResult> {
  const allocated = await allocateProducts(deps.db, input.productCodes ?? []);
  const touched = new Set<number>(input.orderIds ?? []);
  for (const a of allocated) for (const id of a.orderIds) touched.add(id);
  return { allocated, moved: await settleOrders(deps, touched) };
}

/** Settles these orders by their holds, oldest id first (a stable lock order). */
export async function settleOrders(deps: UseCaseDeps, orderIds: Iterable<number>): Promise<ChangeResult[]> {
  const ctx = await actionContext(deps.db, deps.now());
  const out: ChangeResult[] = [];
  for (const id of [...new Set(orderIds)].sort((a, b) => a - b)) {
    const r = await withTransaction(deps.db, (trx) => settleOrder(trx, id, ctx));
    if (r) out.push(r);
  }
  return out;
}

/**
 * After one order moved: the stock it gave back (`freed`, read before the move) and the products its
 * lines need go to the oldest waiting orders, and the order itself settles.
 */
export async function settleAfterOrderMove(deps: UseCaseDeps, orderId: number, freed: readonly string[]) {
  return settleAfterStockChange(deps, {
    productCodes: [...freed, ...(await orderProductCodes(deps.db, orderId))],
    orderIds: [orderId],
  });
}
