// Operation: after stock changed (arrival, correction, release, cancel, shipment, an import), give
// the freed or new stock to the oldest waiting orders of those products, then put every touched
// order where its holds say. Each order settles in its own short transaction; allocation runs its
// own retry loop (db/stock.ts). Idempotent: running it twice moves nothing the second time.
// 在庫連携: the operation that moved the stock recorded the stores' `stock` actions in its own
// transaction (db/stock-push.ts recordStockActions); here, once the waiting orders took what they
// could, they are recorded again for those products and for what the allocation reserved (pending
// ones are only touched, one per store × product) and their delivery jobs enqueued — after the
// allocation, so the quantity computed at delivery is the settled one. Without a queue (the CLI)
// the outbox sweep enqueues them within a minute.
import { orderProductCodes } from '../db/order-status.js';
import { type AllocationResult, allocateProducts } from '../db/stock.js';
import { recordStockActions } from '../db/stock-push.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';
import { type CartActionDeps, enqueueCartActions } from './enqueue-cart-actions.js';
import { actionContext, settleOrder } from './move-order.js';
import type { ChangeResult } from './results.js';

export interface SettleInput {
  /** Products whose stock moved or that new orders need. */
  productCodes?: Iterable<string>;
  /** Orders whose holds changed (they may move even if no product is allocated). */
  orderIds?: Iterable<number>;
  /** Stock actions the operation recorded in its transaction (their delivery jobs go with these). */
  stockActionIds?: Iterable<number>;
}

export interface SettleResult {
  allocated: AllocationResult[];
  moved: ChangeResult[];
}

/** Where the stock actions' delivery jobs go (no queue: the outbox sweep enqueues them). */
export type SettleDeps = CartActionDeps;

export async function settleAfterStockChange(deps: SettleDeps, input: SettleInput): Promise<SettleResult> {
  const products = [...(input.productCodes ?? [])];
  const allocated = await allocateProducts(deps.db, products);
  const touched = new Set<number>(input.orderIds ?? []);
  for (const a of allocated) for (const id of a.orderIds) touched.add(id);
  const stockActions = await recordStockActions(
    deps.db,
    [...products, ...allocated.filter((a) => a.orderIds.length > 0).map((a) => a.productCode)],
    { now: deps.now(), actor: 'system' },
  );
  const moved = await settleOrders(deps, touched);
  await enqueueCartActions(
    deps.queues,
    [...new Set([...(input.stockActionIds ?? []), ...stockActions])].map((id) => ({ id })),
  );
  return { allocated, moved };
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
export async function settleAfterOrderMove(
  deps: SettleDeps,
  orderId: number,
  freed: readonly string[],
  stockActionIds: readonly number[] = [],
) {
  return settleAfterStockChange(deps, {
    productCodes: [...freed, ...(await orderProductCodes(deps.db, orderId))],
    orderIds: [orderId],
    stockActionIds,
  });
}
